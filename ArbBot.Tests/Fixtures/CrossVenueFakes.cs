using ArbBot.Engine.Venues.Polymarket;

namespace ArbBot.Tests.Fixtures;

/// <summary>
/// Both venues as loopback fakes speaking their real wire formats: a fake Kalshi (REST + WebSocket, trading) carrying
/// the Q4 2026 GDP market, a fake Polymarket (Gamma, CLOB books, market channel) carrying the same question, and a
/// fake Polymarket exchange (signed orders, user channel) holding that market's outside liquidity. The two books are
/// dislocated: Kalshi YES is offered at 0.48 and Polymarket NO at 0.40, so buying both costs 0.88 for a $1 payout.
/// </summary>
public sealed class CrossVenueFakes : IAsyncDisposable
{
    public const string KalshiGdp = "KXGDP-27JAN28-T2.0";
    public const string PolymarketGdp = "0x9d90000000000000000000000000000000000000000000000000000000000001";
    public static readonly string GdpYesToken = FakePolymarketCatalog.Token(21, 0);
    public static readonly string GdpNoToken = FakePolymarketCatalog.Token(21, 1);

    private CrossVenueFakes(FakeKalshiServer kalshi, FakePolymarketServer polymarket, FakePolymarketExchangeHost exchange)
    {
        Kalshi = kalshi;
        Polymarket = polymarket;
        Exchange = exchange;
    }

    public FakeKalshiServer Kalshi { get; }
    public FakePolymarketServer Polymarket { get; }
    public FakePolymarketExchangeHost Exchange { get; }

    public static async Task<CrossVenueFakes> StartAsync()
    {
        var kalshi = await FakeKalshiServer.StartAsync("fake-kalshi-paired-catalog.json");
        var gdp = new FakePolymarketMarket(PolymarketGdp, "us-gdp-growth-q4-2026", "Will US GDP growth in Q4 2026 be above 2.0%?", GdpYesToken, GdpNoToken, ["Yes", "No"],
            Description: "This market will resolve to \"Yes\" if the BEA's advance estimate of annualized real GDP growth for Q4 2026 is above 2.0%. " +
                "Otherwise, this market will resolve to \"No\". The resolution source for this market will be the BEA advance estimate (Bureau of Economic Analysis).",
            EndDate: "2027-01-28T13:30:00Z", ResolutionSource: "https://www.bea.gov/");
        var state = new FakePolymarketState([new FakePolymarketEvent("201", "us-gdp-growth-q4-2026", "US GDP growth in Q4 2026?", "Economy", false, false, [gdp])]);
        // YES bid 0.60 (so NO is offered at 0.40), YES ask 0.62.
        state.SetBook(PolymarketGdp, [(0.60m, 200m)], [(0.62m, 200m)]);
        var polymarket = await FakePolymarketServer.StartAsync(state);
        var exchangeState = new FakePolymarketExchangeState();
        exchangeState.AddToken(GdpYesToken, PolymarketGdp);
        exchangeState.AddToken(GdpNoToken, PolymarketGdp);
        exchangeState.SetAsks(GdpYesToken, (0.62m, 200m));
        exchangeState.SetAsks(GdpNoToken, (0.40m, 200m));
        var exchange = await FakePolymarketExchange.StartAsync(exchangeState);
        return new CrossVenueFakes(kalshi, polymarket, exchange);
    }

    /// <summary>The desk's settings for both venues on these fakes; with <paramref name="tradingCredentials"/> also the Polymarket wallet and L2 credentials.</summary>
    public Dictionary<string, string?> Settings(bool tradingCredentials)
    {
        PolymarketOptions data = Polymarket.ClientOptions();
        var settings = new Dictionary<string, string?>
        {
            ["ArbBot:Venues:Kalshi:Source"] = "Real",
            ["ArbBot:Kalshi:KeyId"] = FakeKalshiServer.KeyId,
            ["ArbBot:Kalshi:PrivateKeyPem"] = Kalshi.PrivateKeyPem,
            ["ArbBot:Kalshi:RestBaseUrl"] = Kalshi.RestBaseUrl.ToString(),
            ["ArbBot:Kalshi:WebSocketUrl"] = Kalshi.WebSocketUrl.ToString(),
            ["ArbBot:Kalshi:RetryBaseDelay"] = "00:00:00.020",
            ["ArbBot:Venues:Polymarket:Source"] = "Real",
            ["ArbBot:Polymarket:GammaUrl"] = data.GammaUrl.ToString(),
            ["ArbBot:Polymarket:ClobUrl"] = data.ClobUrl.ToString(),
            ["ArbBot:Polymarket:MarketWebSocketUrl"] = data.MarketWebSocketUrl.ToString(),
            ["ArbBot:Polymarket:RetryBaseDelay"] = "00:00:00.020",
            ["ArbBot:Polymarket:HeartbeatInterval"] = "00:00:00.200",
        };
        if (tradingCredentials)
        {
            var trading = Exchange.ClientOptions();
            settings["ArbBot:Polymarket:Trading:ClobUrl"] = trading.ClobUrl.ToString();
            settings["ArbBot:Polymarket:Trading:UserWebSocketUrl"] = trading.UserWebSocketUrl.ToString();
            settings["ArbBot:Polymarket:Trading:PrivateKey"] = trading.PrivateKey;
            settings["ArbBot:Polymarket:Trading:ApiKey"] = trading.ApiKey;
            settings["ArbBot:Polymarket:Trading:ApiSecret"] = trading.ApiSecret;
            settings["ArbBot:Polymarket:Trading:ApiPassphrase"] = trading.ApiPassphrase;
            settings["ArbBot:Polymarket:Trading:RetryBaseDelay"] = "00:00:00.010";
            settings["ArbBot:Polymarket:Trading:RetryMaxDelay"] = "00:00:00.100";
            settings["ArbBot:Polymarket:Trading:FillGracePeriod"] = "00:00:00.300";
        }
        return settings;
    }

    public async ValueTask DisposeAsync()
    {
        await Exchange.DisposeAsync();
        await Polymarket.DisposeAsync();
        await Kalshi.DisposeAsync();
    }
}
