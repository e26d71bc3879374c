using System.Text;

namespace ArbBot.Engine.Venues.Polymarket.Signing;

/// <summary>
/// A 20-byte Ethereum address. Equality ignores letter case (the EIP-55 checksum is presentation only);
/// <see cref="ToString"/> gives the checksummed form and <see cref="ToLowerHex"/> the form some venue headers use.
/// </summary>
public readonly record struct PolymarketAddress
{
    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    private readonly string? _lowerHex;

    private PolymarketAddress(string lowerHex) => _lowerHex = lowerHex;

    /// <summary>The zero address (used for "any taker" and in tests of domain separators).</summary>
    public static PolymarketAddress Zero { get; } = new("0x" + new string('0', 40));

    /// <summary>Parses "0x" + 40 hex digits in any case. A mixed-case address must carry a valid EIP-55 checksum.</summary>
    public static PolymarketAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length != 42 || !text.StartsWith("0x", StringComparison.Ordinal) || text.AsSpan(2).ContainsAnyExcept(HexDigits))
        {
            throw new FormatException($"'{text}' is not an address: expected 0x and 40 hex digits.");
        }
        var address = new PolymarketAddress(text.ToLowerInvariant());
        var digits = text.AsSpan(2);
        var mixedCase = digits.ContainsAnyInRange('a', 'f') && digits.ContainsAnyInRange('A', 'F');
        if (mixedCase && address.ToString() != text)
        {
            // A mistyped address would send funds or approvals nowhere; EIP-55 exists to catch exactly that.
            throw new FormatException($"'{text}' fails its EIP-55 checksum.");
        }
        return address;
    }

    /// <summary>The address of the last 20 bytes of a 32-byte Keccak hash (how public keys become addresses).</summary>
    public static PolymarketAddress FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != 20) throw new ArgumentException("An address is 20 bytes.", nameof(bytes));
        return new PolymarketAddress(PolymarketHex.Encode(bytes));
    }

    /// <summary>The 20 bytes.</summary>
    public byte[] ToBytes() => PolymarketHex.Decode(LowerHex);

    /// <summary>"0x" and lower-case hex.</summary>
    public string ToLowerHex() => LowerHex;

    /// <summary>The EIP-55 checksummed form.</summary>
    public override string ToString()
    {
        var lower = LowerHex[2..];
        var hash = PolymarketKeccak.Hash(Encoding.ASCII.GetBytes(lower));
        var result = new StringBuilder("0x", 42);
        for (var i = 0; i < lower.Length; i++)
        {
            var nibble = (hash[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xF;
            result.Append(nibble >= 8 ? char.ToUpperInvariant(lower[i]) : lower[i]);
        }
        return result.ToString();
    }

    /// <summary>Compares the 20 bytes; letter case does not matter.</summary>
    public bool Equals(PolymarketAddress other) => string.Equals(LowerHex, other.LowerHex, StringComparison.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(LowerHex);

    // default(PolymarketAddress) is the zero address rather than a null that would fail later.
    private string LowerHex => _lowerHex ?? "0x" + new string('0', 40);
}
