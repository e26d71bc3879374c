using Org.BouncyCastle.Math.EC;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace ArbBot.Engine.Venues.Polymarket.Signing;

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
