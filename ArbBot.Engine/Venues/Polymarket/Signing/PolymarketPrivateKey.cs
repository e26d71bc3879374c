using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
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
