namespace ArbBot.Engine.Venues.Polymarket.Signing;

/// <summary>
/// The CTF Exchange contracts orders are signed for. Only the verifying contract differs between a normal and a
/// neg-risk market; the domain name is the same "Polymarket CTF Exchange" for both (api-facts §1.1).
/// </summary>
public static class PolymarketExchange
{
    /// <summary>The EIP-712 domain name every exchange uses.</summary>
    public const string DomainName = "Polymarket CTF Exchange";

    /// <summary>Polygon mainnet.</summary>
    public const long Polygon = 137;

    /// <summary>Polygon Amoy testnet.</summary>
    public const long Amoy = 80002;

    private static readonly PolymarketAddress CtfV1Polygon = PolymarketAddress.Parse("0x4bFb41d5B3570DeFd03C39a9A4D8dE6Bd8B8982E");
    private static readonly PolymarketAddress CtfV1Amoy = PolymarketAddress.Parse("0xdFE02Eb6733538f8Ea35D585af8DE5958AD99E40");
    // The SDKs use this neg-risk exchange on both chains (py-clob-client's Amoy entry is the NegRiskAdapter, not an exchange).
    private static readonly PolymarketAddress NegRiskV1 = PolymarketAddress.Parse("0xC5d563A36AE78145C45a50134d48A1215220f80a");
    private static readonly PolymarketAddress CtfV2 = PolymarketAddress.Parse("0xE111180000d2663C0091e4f400237545B87B996B");
    private static readonly PolymarketAddress NegRiskV2 = PolymarketAddress.Parse("0xe2222d279d744050d28e00520010520000310F59");

    /// <summary>The exchange contract for a chain, exchange version and market kind.</summary>
    public static PolymarketAddress VerifyingContract(long chainId, PolymarketExchangeVersion version, bool negRisk) =>
        (chainId, version, negRisk) switch
        {
            (Polygon, PolymarketExchangeVersion.V1, false) => CtfV1Polygon,
            (Amoy, PolymarketExchangeVersion.V1, false) => CtfV1Amoy,
            (Polygon or Amoy, PolymarketExchangeVersion.V1, true) => NegRiskV1,
            (Polygon or Amoy, PolymarketExchangeVersion.V2, false) => CtfV2,
            (Polygon or Amoy, PolymarketExchangeVersion.V2, true) => NegRiskV2,
            _ => throw new ArgumentOutOfRangeException(nameof(chainId), chainId, $"No Polymarket {version} exchange is known on chain {chainId}."),
        };

    /// <summary>The EIP-712 domain for orders on that exchange.</summary>
    public static PolymarketEip712Domain Domain(long chainId, PolymarketExchangeVersion version, bool negRisk) =>
        new(DomainName, version == PolymarketExchangeVersion.V1 ? "1" : "2", chainId, VerifyingContract(chainId, version, negRisk));
}
