using System.Text;
using Org.BouncyCastle.Crypto.Digests;

namespace ArbBot.Engine.Venues.Polymarket.Signing;

/// <summary>
/// Keccak-256 as Ethereum uses it: the original Keccak padding, not NIST SHA3-256 (which .NET's SHA3_256 implements
/// and which gives different hashes).
/// </summary>
public static class PolymarketKeccak
{
    /// <summary>Hashes bytes to 32 bytes.</summary>
    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        var digest = new KeccakDigest(256);
        // BouncyCastle 1.8 takes arrays only.
        var input = data.ToArray();
        digest.BlockUpdate(input, 0, input.Length);
        var output = new byte[32];
        digest.DoFinal(output, 0);
        return output;
    }

    /// <summary>Hashes the UTF-8 bytes of a string (EIP-712 type strings and string members).</summary>
    public static byte[] Hash(string text) => Hash(Encoding.UTF8.GetBytes(text));
}
