namespace ArbBot.Engine.Venues.Polymarket.Signing;

/// <summary>0x-prefixed hex as Ethereum tooling writes it.</summary>
public static class PolymarketHex
{
    /// <summary>Lower-case hex with a 0x prefix.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes) => "0x" + Convert.ToHexStringLower(bytes);

    /// <summary>Decodes hex with or without a 0x prefix; throws <see cref="FormatException"/> on anything else.</summary>
    public static byte[] Decode(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        var digits = hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex;
        if (digits.Length % 2 != 0) throw new FormatException("Hex text must have an even number of digits.");
        return Convert.FromHexString(digits);
    }
}
