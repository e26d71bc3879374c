using System.Numerics;
using System.Text.RegularExpressions;

namespace ArbBot.Engine.Venues.Polymarket.Signing;

/// <summary>One member of an EIP-712 struct type: its Solidity type and name, in declaration order.</summary>
public sealed record PolymarketEip712Field(string Type, string Name);

/// <summary>
/// An EIP-712 struct type whose members are atomic (uintN, address, bool, bytesN) or dynamic (string, bytes) values.
/// Struct-typed and array members are refused when the type is built: no Polymarket message needs them, and a
/// half-supported encodeType would produce hashes that silently differ from the venue's.
/// </summary>
public sealed partial class PolymarketEip712Type
{
    /// <summary>Creates the type, refusing member types this encoder does not implement.</summary>
    public PolymarketEip712Type(string name, IReadOnlyList<PolymarketEip712Field> fields)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(fields);
        foreach (var field in fields)
        {
            if (!IsSupported(field.Type)) throw new NotSupportedException($"EIP-712 member type '{field.Type}' of {name}.{field.Name} is not supported.");
        }
        Name = name;
        Fields = fields;
        EncodedType = $"{name}({string.Join(",", fields.Select(f => $"{f.Type} {f.Name}"))})";
        TypeHash = PolymarketKeccak.Hash(EncodedType);
    }

    /// <summary>The struct's name.</summary>
    public string Name { get; }

    /// <summary>The members in declaration order (the order encodeType and encodeData use).</summary>
    public IReadOnlyList<PolymarketEip712Field> Fields { get; }

    /// <summary>encodeType: "Name(type1 name1,type2 name2,…)".</summary>
    public string EncodedType { get; }

    /// <summary>keccak256(encodeType).</summary>
    public byte[] TypeHash { get; }

    private static bool IsSupported(string type) =>
        type is "address" or "bool" or "string" or "bytes" || UintType().IsMatch(type) || FixedBytesType().IsMatch(type);

    [GeneratedRegex("^uint(8|16|24|32|40|48|56|64|72|80|88|96|104|112|120|128|136|144|152|160|168|176|184|192|200|208|216|224|232|240|248|256)$")]
    internal static partial Regex UintType();

    [GeneratedRegex("^bytes([1-9]|[12][0-9]|3[0-2])$")]
    internal static partial Regex FixedBytesType();
}

/// <summary>
/// The EIP712Domain: only the members that are set take part, in the standard order (name, version, chainId,
/// verifyingContract), which is why ClobAuth's domain without a contract hashes differently from an exchange's.
/// </summary>
public sealed record PolymarketEip712Domain(string Name, string Version, long ChainId, PolymarketAddress? VerifyingContract = null)
{
    /// <summary>The EIP712Domain type for the members present.</summary>
    public PolymarketEip712Type Type
    {
        get
        {
            var fields = new List<PolymarketEip712Field> { new("string", "name"), new("string", "version"), new("uint256", "chainId") };
            if (VerifyingContract is not null) fields.Add(new("address", "verifyingContract"));
            return new PolymarketEip712Type("EIP712Domain", fields);
        }
    }

    /// <summary>The values in <see cref="Type"/>'s member order.</summary>
    public IReadOnlyList<object> Values =>
        VerifyingContract is { } contract
            ? [Name, Version, new BigInteger(ChainId), contract]
            : [Name, Version, new BigInteger(ChainId)];

    /// <summary>hashStruct(domain).</summary>
    public byte[] Separator() => PolymarketEip712.HashStruct(Type, Values);
}

/// <summary>EIP-712 typed-data hashing: encodeData, hashStruct and the signing digest.</summary>
public static class PolymarketEip712
{
    private static readonly BigInteger MaxUint256 = (BigInteger.One << 256) - 1;

    /// <summary>
    /// hashStruct(s) = keccak256(typeHash ‖ encodeData(s)). Values go in member order: <see cref="BigInteger"/> for
    /// uintN, <see cref="PolymarketAddress"/> for address, <see cref="bool"/>, <see cref="string"/>, and
    /// <see cref="byte"/>[] for bytes and bytesN.
    /// </summary>
    public static byte[] HashStruct(PolymarketEip712Type type, IReadOnlyList<object> values)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count != type.Fields.Count)
        {
            throw new ArgumentException($"{type.Name} has {type.Fields.Count} members but {values.Count} values were given.", nameof(values));
        }
        var encoded = new byte[32 * (1 + values.Count)];
        type.TypeHash.CopyTo(encoded, 0);
        for (var i = 0; i < values.Count; i++)
        {
            EncodeValue(type.Fields[i], values[i]).CopyTo(encoded, 32 * (i + 1));
        }
        return PolymarketKeccak.Hash(encoded);
    }

    /// <summary>keccak256(0x19 0x01 ‖ domainSeparator ‖ structHash): the 32 bytes that are signed.</summary>
    public static byte[] Digest(ReadOnlySpan<byte> domainSeparator, ReadOnlySpan<byte> structHash)
    {
        if (domainSeparator.Length != 32 || structHash.Length != 32) throw new ArgumentException("Both hashes must be 32 bytes.");
        Span<byte> message = stackalloc byte[66];
        message[0] = 0x19;
        message[1] = 0x01;
        domainSeparator.CopyTo(message[2..]);
        structHash.CopyTo(message[34..]);
        return PolymarketKeccak.Hash(message);
    }

    /// <summary>The digest of a struct under a domain.</summary>
    public static byte[] Digest(PolymarketEip712Domain domain, PolymarketEip712Type type, IReadOnlyList<object> values) =>
        Digest(domain.Separator(), HashStruct(type, values));

    /// <summary>A uint256 as 32 big-endian bytes; refuses negative values and values of more than 256 bits.</summary>
    public static byte[] EncodeUint(BigInteger value, int bits = 256)
    {
        if (value.Sign < 0 || value > (bits == 256 ? MaxUint256 : (BigInteger.One << bits) - 1))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"Value does not fit uint{bits}.");
        }
        var word = new byte[32];
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        if (value.IsZero) return word;
        bytes.CopyTo(word, 32 - bytes.Length);
        return word;
    }

    private static byte[] EncodeValue(PolymarketEip712Field field, object value)
    {
        var type = field.Type;
        switch (value)
        {
            case string text when type == "string":
                return PolymarketKeccak.Hash(text);
            case byte[] bytes when type == "bytes":
                return PolymarketKeccak.Hash(bytes);
            case PolymarketAddress address when type == "address":
                var word = new byte[32];
                address.ToBytes().CopyTo(word, 12);
                return word;
            case bool flag when type == "bool":
                return EncodeUint(flag ? BigInteger.One : BigInteger.Zero);
            case BigInteger number when PolymarketEip712Type.UintType().Match(type) is { Success: true } m:
                return EncodeUint(number, int.Parse(m.Groups[1].ValueSpan, provider: System.Globalization.CultureInfo.InvariantCulture));
            case byte[] fixedBytes when PolymarketEip712Type.FixedBytesType().Match(type) is { Success: true } m:
                var length = int.Parse(m.Groups[1].ValueSpan, provider: System.Globalization.CultureInfo.InvariantCulture);
                if (fixedBytes.Length != length) throw new ArgumentException($"Member {field.Name} is {type} but {fixedBytes.Length} bytes were given.");
                // bytesN is left-aligned and zero-padded on the right, unlike numbers.
                var padded = new byte[32];
                fixedBytes.CopyTo(padded, 0);
                return padded;
            default:
                throw new ArgumentException($"Member {field.Name} is {type}; a {value?.GetType().Name ?? "null"} cannot encode it.");
        }
    }
}
