using System.Globalization;
using System.Numerics;
using System.Text.Json;
using ArbBot.Engine.Core;
using ArbBot.Engine.Venues.Polymarket.Signing;

namespace ArbBot.Engine.Venues.Polymarket.Trading;

/// <summary>The CLOB's order types: how long an order works and whether it may fill partly.</summary>
public enum PolymarketOrderType
{
    /// <summary>Good till cancelled: the rest stays on the book.</summary>
    Gtc,
    /// <summary>Good till date: rests until its expiration (unix seconds).</summary>
    Gtd,
    /// <summary>Fill or kill: all now or nothing.</summary>
    Fok,
    /// <summary>Fill and kill: what fills now, the rest is cancelled.</summary>
    Fak,
}

/// <summary>
/// A signed order as the CLOB's <c>order</c> object carries it. <see cref="OrderId"/> is the EIP-712 digest (the order
/// hash), which is also the id the venue gives the order. V1 fields are null on V2 orders and the other way round.
/// </summary>
public sealed record PolymarketSignedOrderPayload(
    PolymarketExchangeVersion Version,
    long Salt,
    PolymarketAddress Maker,
    PolymarketAddress Signer,
    string TokenId,
    long MakerAmount,
    long TakerAmount,
    Side Side,
    long ExpirationSeconds,
    PolymarketSignatureType SignatureType,
    string Signature,
    string OrderId,
    long? TimestampMs = null,
    PolymarketBytes32? Metadata = null,
    PolymarketBytes32? Builder = null,
    PolymarketAddress? Taker = null,
    long? Nonce = null,
    long? FeeRateBps = null)
{
    /// <summary>Shares: the taker amount of a BUY, the maker amount of a SELL (6-decimal units).</summary>
    public decimal Shares => (Side == Side.Buy ? TakerAmount : MakerAmount) / 1_000_000m;

    /// <summary>pUSD: the maker amount of a BUY, the taker amount of a SELL.</summary>
    public decimal Notional => (Side == Side.Buy ? MakerAmount : TakerAmount) / 1_000_000m;

    /// <summary>
    /// Writes the <c>order</c> object in the official clients' field order (py-clob-client-v2 order_to_json_v2,
    /// py-clob-client order_to_json): salt is a JSON number, amounts and ids are strings, side is "BUY"/"SELL".
    /// </summary>
    public void WriteJson(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteNumber("salt", Salt);
        writer.WriteString("maker", Maker.ToString());
        writer.WriteString("signer", Signer.ToString());
        if (Version == PolymarketExchangeVersion.V1) writer.WriteString("taker", (Taker ?? PolymarketAddress.Zero).ToString());
        writer.WriteString("tokenId", TokenId);
        writer.WriteString("makerAmount", Text(MakerAmount));
        writer.WriteString("takerAmount", Text(TakerAmount));
        if (Version == PolymarketExchangeVersion.V1)
        {
            writer.WriteString("expiration", Text(ExpirationSeconds));
            writer.WriteString("nonce", Text(Nonce ?? 0));
            writer.WriteString("feeRateBps", Text(FeeRateBps ?? 0));
            writer.WriteString("side", SideText(Side));
            writer.WriteNumber("signatureType", (int)SignatureType);
        }
        else
        {
            writer.WriteString("side", SideText(Side));
            writer.WriteString("expiration", Text(ExpirationSeconds));
            writer.WriteNumber("signatureType", (int)SignatureType);
            writer.WriteString("timestamp", Text(TimestampMs ?? 0));
            writer.WriteString("metadata", (Metadata ?? PolymarketBytes32.Zero).ToString());
            writer.WriteString("builder", (Builder ?? PolymarketBytes32.Zero).ToString());
        }
        writer.WriteString("signature", Signature);
        writer.WriteEndObject();
    }

    /// <summary>"BUY" or "SELL".</summary>
    public static string SideText(Side side) => side == Side.Buy ? "BUY" : "SELL";

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// Builds and signs orders for one wallet: amounts from price and size with the official rounding per tick size
/// (<see cref="PolymarketOrderAmounts"/>), the exchange by market kind (neg risk or not), the struct by exchange
/// version (V2 live, V1 kept behind the version switch), and the signature type and funder from the options.
/// </summary>
public sealed class PolymarketOrderFactory
{
    // The backend parses salt as an IEEE 754 double (nautilus), so it must stay within 2^53 − 1.
    private const long MaxSalt = (1L << 53) - 1;

    private readonly PolymarketPrivateKey _key;
    private readonly PolymarketOrderSigner _signer;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly Lock _randomGate = new();

    /// <param name="key">The signing wallet key.</param>
    /// <param name="chainId">137 or 80002.</param>
    /// <param name="signatureType">How the exchange checks the signature.</param>
    /// <param name="funder">The maker (funds holder); the key's address for EOA.</param>
    /// <param name="time">Clock for the V2 timestamp and salts.</param>
    /// <param name="random">Salt source (seeded in tests).</param>
    public PolymarketOrderFactory(PolymarketPrivateKey key, long chainId, PolymarketSignatureType signatureType, PolymarketAddress funder, TimeProvider time, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(time);
        if (signatureType == PolymarketSignatureType.Eoa && funder != key.Address)
        {
            throw new ArgumentException("An EOA order's maker is the signing key's own address.", nameof(funder));
        }
        _key = key;
        _signer = new PolymarketOrderSigner(key, chainId);
        ChainId = chainId;
        SignatureType = signatureType;
        Funder = funder;
        _time = time;
        _random = random ?? new Random();
    }

    /// <summary>Creates the factory the options describe.</summary>
    public static PolymarketOrderFactory FromOptions(PolymarketTradingOptions options, PolymarketPrivateKey key, TimeProvider time, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(key);
        return new PolymarketOrderFactory(key, options.ChainId, options.SignatureType, options.Funder(key.Address), time, random);
    }

    public long ChainId { get; }

    public PolymarketSignatureType SignatureType { get; }

    /// <summary>The order's maker.</summary>
    public PolymarketAddress Funder { get; }

    /// <summary>The key's address (the order's signer, except for POLY_1271 where the deposit wallet signs on its behalf).</summary>
    public PolymarketAddress KeyAddress => _key.Address;

    /// <summary>
    /// A signed limit order of <paramref name="size"/> shares at <paramref name="price"/> for <paramref name="tokenId"/>.
    /// </summary>
    /// <param name="expirationSeconds">Unix seconds for GTD orders; 0 for none.</param>
    /// <exception cref="ArgumentOutOfRangeException">The price is off [tick, 1 − tick] or the size rounds to nothing.</exception>
    public PolymarketSignedOrderPayload CreateLimitOrder(PolymarketExchangeVersion version, string tokenId, Side side, decimal price, decimal size, TickSize tick, bool negRisk, long expirationSeconds = 0)
    {
        var amounts = PolymarketOrderAmounts.ForLimitOrder(side, price, size, tick);
        return Sign(version, tokenId, side, amounts, negRisk, expirationSeconds);
    }

    /// <summary>Signs an order with the given amounts (6-decimal units).</summary>
    public PolymarketSignedOrderPayload Sign(PolymarketExchangeVersion version, string tokenId, Side side, PolymarketOrderAmounts amounts, bool negRisk, long expirationSeconds = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tokenId);
        ArgumentNullException.ThrowIfNull(amounts);
        ArgumentOutOfRangeException.ThrowIfNegative(expirationSeconds);
        if (!BigInteger.TryParse(tokenId, NumberStyles.None, CultureInfo.InvariantCulture, out var token))
        {
            throw new ArgumentException($"Token id '{tokenId}' is not a decimal number.", nameof(tokenId));
        }
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        long salt;
        lock (_randomGate) salt = (long)(_random.NextDouble() * now) & MaxSalt;

        if (version == PolymarketExchangeVersion.V1)
        {
            if (SignatureType == PolymarketSignatureType.Poly1271) throw new InvalidOperationException("POLY_1271 orders exist only on the V2 exchange.");
            var v1 = new PolymarketOrderV1(salt, Funder, _key.Address, PolymarketAddress.Zero, token, amounts.MakerAmount, amounts.TakerAmount,
                expirationSeconds, 0, 0, side, SignatureType);
            var signed = _signer.Sign(v1, negRisk);
            return new PolymarketSignedOrderPayload(version, salt, Funder, _key.Address, tokenId, amounts.MakerAmount, amounts.TakerAmount, side,
                expirationSeconds, SignatureType, signed.Signature.ToString(), PolymarketHex.Encode(signed.Digest),
                Taker: PolymarketAddress.Zero, Nonce: 0, FeeRateBps: 0);
        }

        // POLY_1271: the deposit wallet is both maker and signer; the key signs for it through the ERC-7739 wrapper.
        var signerAddress = SignatureType == PolymarketSignatureType.Poly1271 ? Funder : _key.Address;
        var v2 = new PolymarketOrderV2(salt, Funder, signerAddress, token, amounts.MakerAmount, amounts.TakerAmount, side, SignatureType, now,
            PolymarketBytes32.Zero, PolymarketBytes32.Zero);
        string signature;
        byte[] digest;
        if (SignatureType == PolymarketSignatureType.Poly1271)
        {
            var wrapped = _signer.SignPoly1271(v2, negRisk);
            (signature, digest) = (wrapped.SignatureHex, wrapped.Digest);
        }
        else
        {
            var signed = _signer.Sign(v2, negRisk);
            (signature, digest) = (signed.Signature.ToString(), signed.Digest);
        }
        return new PolymarketSignedOrderPayload(version, salt, Funder, signerAddress, tokenId, amounts.MakerAmount, amounts.TakerAmount, side,
            expirationSeconds, SignatureType, signature, PolymarketHex.Encode(digest), TimestampMs: now,
            Metadata: PolymarketBytes32.Zero, Builder: PolymarketBytes32.Zero);
    }
}
