using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math.EC;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace ArbBot.Engine.Venues.Polymarket.Signing;

/// <summary>
/// A secp256k1 private key that signs 32-byte digests the way Ethereum does: RFC 6979 deterministic k, low-s,
/// recovery id as v ∈ {27, 28}. The key never leaves this type: <see cref="ToString"/> says "***" and no exception
/// message quotes it.
/// </summary>
public sealed class PolymarketPrivateKey
{
    internal static readonly X9ECParameters Curve = SecNamedCurves.GetByName("secp256k1");
    internal static readonly ECDomainParameters Domain = new(Curve.Curve, Curve.G, Curve.N, Curve.H);
    private static readonly BcBigInteger HalfN = Curve.N.ShiftRight(1);

    private readonly BcBigInteger _d;

    private PolymarketPrivateKey(BcBigInteger d)
    {
        _d = d;
        Address = PolymarketSignature.AddressOf(Domain.G.Multiply(d).Normalize());
    }

    /// <summary>The address this key controls.</summary>
    public PolymarketAddress Address { get; }

    /// <summary>Reads a key from 64 hex digits (0x optional). Errors never contain the text.</summary>
    public static PolymarketPrivateKey FromHex(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        byte[] bytes;
        try
        {
            bytes = PolymarketHex.Decode(hex.Trim());
        }
        catch (FormatException)
        {
            throw new FormatException("The private key is not hex.");
        }
        if (bytes.Length != 32) throw new FormatException("The private key must be 32 bytes.");
        var d = new BcBigInteger(1, bytes);
        Array.Clear(bytes);
        if (d.SignValue == 0 || d.CompareTo(Curve.N) >= 0) throw new FormatException("The private key is outside the secp256k1 range.");
        return new PolymarketPrivateKey(d);
    }

    /// <summary>Signs a 32-byte digest: r ‖ s ‖ v with RFC 6979 k, s in the lower half of the order, v ∈ {27, 28}.</summary>
    public PolymarketSignature Sign(ReadOnlySpan<byte> digest)
    {
        if (digest.Length != 32) throw new ArgumentException("A digest is 32 bytes.", nameof(digest));
        var hash = digest.ToArray();
        var signer = new ECDsaSigner(new HMacDsaKCalculator(new Sha256Digest()));
        signer.Init(true, new ECPrivateKeyParameters(_d, Domain));
        var rs = signer.GenerateSignature(hash);
        var r = rs[0];
        var s = rs[1];
        // Ethereum (EIP-2) rejects high-s signatures as malleable; (r, n − s) is the equivalent low-s one.
        if (s.CompareTo(HalfN) > 0) s = Curve.N.Subtract(s);

        for (var recoveryId = 0; recoveryId < 2; recoveryId++)
        {
            var candidate = PolymarketSignature.Create(r, s, (byte)(27 + recoveryId));
            if (candidate.TryRecoverAddress(hash, out var recovered) && recovered == Address) return candidate;
        }
        // Unreachable for a valid key and signature; kept as a loud failure rather than a wrong v.
        throw new InvalidOperationException("Could not determine the signature's recovery id.");
    }

    /// <inheritdoc />
    public override string ToString() => "***";
}

/// <summary>A 65-byte Ethereum signature r ‖ s ‖ v (v ∈ {27, 28}).</summary>
public sealed class PolymarketSignature
{
    private readonly byte[] _bytes;

    private PolymarketSignature(byte[] bytes) => _bytes = bytes;

    /// <summary>The 65 bytes.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>v: 27 or 28.</summary>
    public byte V => _bytes[64];

    /// <summary>Parses "0x" + 130 hex digits.</summary>
    public static PolymarketSignature Parse(string hex)
    {
        var bytes = PolymarketHex.Decode(hex);
        if (bytes.Length != 65) throw new FormatException("A signature is 65 bytes.");
        if (bytes[64] is not (27 or 28)) throw new FormatException("A signature's v must be 27 or 28.");
        return new PolymarketSignature(bytes);
    }

    /// <summary>The public key that made this signature over <paramref name="digest"/>, as an address (ecrecover).</summary>
    public bool TryRecoverAddress(ReadOnlySpan<byte> digest, out PolymarketAddress address)
    {
        address = default;
        if (digest.Length != 32) return false;
        var n = PolymarketPrivateKey.Curve.N;
        var r = new BcBigInteger(1, _bytes.AsSpan(0, 32).ToArray());
        var s = new BcBigInteger(1, _bytes.AsSpan(32, 32).ToArray());
        if (r.SignValue == 0 || r.CompareTo(n) >= 0 || s.SignValue == 0 || s.CompareTo(n) >= 0) return false;

        // SEC 1 §4.1.6: R is the curve point with x = r and the y parity given by v; Q = r⁻¹(sR − eG).
        // x = r + n would need r < p − n, which has negligible probability; Ethereum's v does not encode it either.
        var compressed = new byte[33];
        compressed[0] = (byte)(V == 27 ? 0x02 : 0x03);
        _bytes.AsSpan(0, 32).CopyTo(compressed.AsSpan(1));
        ECPoint point;
        try
        {
            point = PolymarketPrivateKey.Curve.Curve.DecodePoint(compressed);
        }
        catch (ArgumentException)
        {
            return false;
        }
        var e = new BcBigInteger(1, digest.ToArray());
        var rInverse = r.ModInverse(n);
        var q = ECAlgorithms.SumOfTwoMultiplies(PolymarketPrivateKey.Curve.G, e.Negate().Multiply(rInverse).Mod(n), point, s.Multiply(rInverse).Mod(n)).Normalize();
        if (q.IsInfinity) return false;
        address = AddressOf(q);
        return true;
    }

    /// <summary>"0x" and 130 lower-case hex digits, as the venue's JSON bodies and headers carry it.</summary>
    public override string ToString() => PolymarketHex.Encode(_bytes);

    internal static PolymarketSignature Create(BcBigInteger r, BcBigInteger s, byte v)
    {
        var bytes = new byte[65];
        WriteWord(r, bytes.AsSpan(0, 32));
        WriteWord(s, bytes.AsSpan(32, 32));
        bytes[64] = v;
        return new PolymarketSignature(bytes);
    }

    internal static PolymarketAddress AddressOf(ECPoint publicKey)
    {
        var uncompressed = publicKey.GetEncoded(false);
        // The address is the last 20 bytes of keccak256(x ‖ y), without the 0x04 prefix.
        var hash = PolymarketKeccak.Hash(uncompressed.AsSpan(1));
        return PolymarketAddress.FromBytes(hash.AsSpan(12));
    }

    private static void WriteWord(BcBigInteger value, Span<byte> destination)
    {
        var bytes = value.ToByteArrayUnsigned();
        bytes.CopyTo(destination[(32 - bytes.Length)..]);
    }
}
