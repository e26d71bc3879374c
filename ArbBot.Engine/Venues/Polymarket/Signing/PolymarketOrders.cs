using System.Numerics;
using ArbBot.Engine.Core;

namespace ArbBot.Engine.Venues.Polymarket.Signing;

/// <summary>How the exchange checks an order's signature against its maker (the funding wallet).</summary>
public enum PolymarketSignatureType : byte
{
    /// <summary>The maker is the EOA that signs.</summary>
    Eoa = 0,
    /// <summary>The maker is a Polymarket proxy wallet (Magic / email accounts) owned by the signer.</summary>
    PolyProxy = 1,
    /// <summary>The maker is a Gnosis Safe owned by the signer.</summary>
    PolyGnosisSafe = 2,
    /// <summary>
    /// V2 only: the maker and signer are a deposit wallet (an EIP-1271 smart wallet) and the owner's EOA signature is
    /// wrapped ERC-7739 style (see <see cref="PolymarketOrderSigner.SignPoly1271"/>).
    /// </summary>
    Poly1271 = 3,
}

/// <summary>Which CTF Exchange generation an order is signed for; it fixes the struct and the domain version.</summary>
public enum PolymarketExchangeVersion : byte
{
    /// <summary>The original exchange (domain version "1"); archived by Polymarket in 2026.</summary>
    V1 = 1,
    /// <summary>The 2026 exchange (domain version "2"), the live one.</summary>
    V2 = 2,
}

/// <summary>
/// The V1 signed order: Order(uint256 salt,address maker,address signer,address taker,uint256 tokenId,
/// uint256 makerAmount,uint256 takerAmount,uint256 expiration,uint256 nonce,uint256 feeRateBps,uint8 side,
/// uint8 signatureType). Amounts are 6-decimal base units.
/// </summary>
public sealed record PolymarketOrderV1(
    BigInteger Salt,
    PolymarketAddress Maker,
    PolymarketAddress Signer,
    PolymarketAddress Taker,
    BigInteger TokenId,
    BigInteger MakerAmount,
    BigInteger TakerAmount,
    BigInteger Expiration,
    BigInteger Nonce,
    BigInteger FeeRateBps,
    Side Side,
    PolymarketSignatureType SignatureType)
{
    /// <summary>The EIP-712 Order type of the V1 exchange.</summary>
    public static PolymarketEip712Type Type { get; } = new("Order",
    [
        new("uint256", "salt"), new("address", "maker"), new("address", "signer"), new("address", "taker"),
        new("uint256", "tokenId"), new("uint256", "makerAmount"), new("uint256", "takerAmount"),
        new("uint256", "expiration"), new("uint256", "nonce"), new("uint256", "feeRateBps"),
        new("uint8", "side"), new("uint8", "signatureType"),
    ]);

    /// <summary>hashStruct(order).</summary>
    public byte[] StructHash() => PolymarketEip712.HashStruct(Type,
    [
        Salt, Maker, Signer, Taker, TokenId, MakerAmount, TakerAmount, Expiration, Nonce, FeeRateBps,
        new BigInteger((byte)Side), new BigInteger((byte)SignatureType),
    ]);
}

/// <summary>
/// The V2 signed order: Order(uint256 salt,address maker,address signer,uint256 tokenId,uint256 makerAmount,
/// uint256 takerAmount,uint8 side,uint8 signatureType,uint256 timestamp,bytes32 metadata,bytes32 builder).
/// Fees are set at match time and uniqueness comes from <paramref name="Timestamp"/> (ms), so there is no nonce or
/// fee rate; expiration travels in the POST body but is not signed.
/// </summary>
public sealed record PolymarketOrderV2(
    BigInteger Salt,
    PolymarketAddress Maker,
    PolymarketAddress Signer,
    BigInteger TokenId,
    BigInteger MakerAmount,
    BigInteger TakerAmount,
    Side Side,
    PolymarketSignatureType SignatureType,
    BigInteger Timestamp,
    PolymarketBytes32 Metadata,
    PolymarketBytes32 Builder)
{
    /// <summary>The EIP-712 Order type of the V2 exchange.</summary>
    public static PolymarketEip712Type Type { get; } = new("Order",
    [
        new("uint256", "salt"), new("address", "maker"), new("address", "signer"), new("uint256", "tokenId"),
        new("uint256", "makerAmount"), new("uint256", "takerAmount"), new("uint8", "side"),
        new("uint8", "signatureType"), new("uint256", "timestamp"), new("bytes32", "metadata"), new("bytes32", "builder"),
    ]);

    /// <summary>hashStruct(order).</summary>
    public byte[] StructHash() => PolymarketEip712.HashStruct(Type,
    [
        Salt, Maker, Signer, TokenId, MakerAmount, TakerAmount, new BigInteger((byte)Side),
        new BigInteger((byte)SignatureType), Timestamp, Metadata.ToBytes(), Builder.ToBytes(),
    ]);
}

/// <summary>A bytes32 value (V2 metadata and builder code); the default is 32 zero bytes.</summary>
public readonly record struct PolymarketBytes32
{
    private readonly string? _hex;

    private PolymarketBytes32(string hex) => _hex = hex;

    /// <summary>32 zero bytes: no metadata, no builder.</summary>
    public static PolymarketBytes32 Zero => default;

    /// <summary>Parses 0x + 64 hex digits.</summary>
    public static PolymarketBytes32 Parse(string hex)
    {
        var bytes = PolymarketHex.Decode(hex);
        if (bytes.Length != 32) throw new FormatException("A bytes32 value is 32 bytes.");
        return new PolymarketBytes32(PolymarketHex.Encode(bytes));
    }

    /// <summary>The 32 bytes.</summary>
    public byte[] ToBytes() => _hex is null ? new byte[32] : PolymarketHex.Decode(_hex);

    /// <summary>0x + 64 lower-case hex digits.</summary>
    public override string ToString() => PolymarketHex.Encode(ToBytes());

    /// <summary>Compares the bytes (the zero default equals a parsed zero).</summary>
    public bool Equals(PolymarketBytes32 other) => ToString() == other.ToString();

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToString());
}
