using ArbBot.Engine.Core;
using ArbBot.Engine.Venues.Polymarket;
using ArbBot.Engine.Venues.Polymarket.Trading;
using ArbBot.Tests.Fixtures;
using Microsoft.Extensions.Logging;

namespace ArbBot.Tests.Venues.Polymarket.Trading;

/// <summary>A gateway on the fake exchange: one binary market (YES/NO tokens), a registry, a recording listener and a capturing logger.</summary>
internal sealed class PolymarketTradingHarness : IAsyncDisposable
{
    public const string YesToken = "1111111111111111111111111111111111111111111111111111111111111111111111111111";
    public const string NoToken = "2222222222222222222222222222222222222222222222222222222222222222222222222222";
    public const string ConditionId = "0xdd22472e552920b8438158ea7238bfadfa4f736aa4cee91a6b86c39ead110917";

    private PolymarketTradingHarness(FakePolymarketExchangeHost host, InstrumentRegistry registry, Market market, PolymarketOrderGateway gateway, HttpClient http)
    {
        Host = host;
        Registry = registry;
        Market = market;
        Gateway = gateway;
        Http = http;
    }

    public FakePolymarketExchangeHost Host { get; }
    public FakePolymarketExchangeState State => Host.State;
    public InstrumentRegistry Registry { get; }
    public Market Market { get; }
    public PolymarketOrderGateway Gateway { get; }
    public HttpClient Http { get; }
    public CapturingLogger Logger { get; private set; } = null!;

    public static async Task<PolymarketTradingHarness> StartAsync(bool negRisk = false, bool withChannel = true, decimal feeRate = 0.25m, Action<FakePolymarketExchangeState>? setup = null,
        Action<PolymarketTradingOptions>? configure = null)
    {
        var state = new FakePolymarketExchangeState();
        state.AddToken(YesToken, ConditionId, negRisk, feeRate, feeExponent: 2);
        state.AddToken(NoToken, ConditionId, negRisk, feeRate, feeExponent: 2);
        setup?.Invoke(state);
        var host = await FakePolymarketExchange.StartAsync(state);
        var registry = new InstrumentRegistry();
        registry.AddEvent(new VenueEvent(VenueId.Polymarket, "event-1", "Event", "Test", MutuallyExclusive: negRisk, NegRisk: negRisk, Augmented: false));
        var market = registry.AddMarket(new Market(VenueId.Polymarket, ConditionId, "event-1", "Will it?", "", "", DateTimeOffset.UtcNow.AddDays(30), TickSize.Cent, 1m, "Yes",
            PolymarketFeeModel.Parameters(feeRate, 2), QuantityStep: 0.01m), YesToken, NoToken);
        var options = host.ClientOptions();
        configure?.Invoke(options);
        var logger = new CapturingLogger();
        var http = new HttpClient();
        var key = options.LoadPrivateKey();
        var client = new PolymarketClobTradingClient(http, options, key, options.LoadApiCredentials(), TimeProvider.System, logger, new Random(1));
        var listener = new RecordingExecutionListener();
        var gateway = new PolymarketOrderGateway(client, PolymarketOrderFactory.FromOptions(options, key, TimeProvider.System, new Random(2)), registry,
            new PolymarketFeeModel(), options, TimeProvider.System, listener, logger);
        var harness = new PolymarketTradingHarness(host, registry, market, gateway, http) { Logger = logger };
        harness._listener = listener;
        await gateway.StartAsync(withChannel ? new PolymarketUserChannel(options, options.LoadApiCredentials()!, TimeProvider.System, logger, new Random(3)) : null, CancellationToken.None);
        if (withChannel) await state.WaitForUserConnectionAsync(1, TimeSpan.FromSeconds(10));
        return harness;
    }

    private RecordingExecutionListener _listener = null!;

    public RecordingExecutionListener Recorded => _listener;

    public ArbBot.Engine.Execution.OrderRequest Buy(string id, decimal price, decimal quantity, TimeInForce tif, bool yes = true) =>
        new(id, yes ? Market.Yes : Market.No, Side.Buy, Price.FromDecimal(price), quantity, tif);

    public ArbBot.Engine.Execution.OrderRequest Sell(string id, decimal price, decimal quantity, TimeInForce tif) =>
        new(id, Market.Yes, Side.Sell, Price.FromDecimal(price), quantity, tif);

    public static async Task EventuallyAsync(Func<bool> condition, string what, double seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for: {what}");
            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Host.DisposeAsync();
        Http.Dispose();
    }
}

/// <summary>Keeps every formatted log line (with its exception's message) so tests can read what would have been logged.</summary>
internal sealed class CapturingLogger : ILogger
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<(LogLevel Level, string Text)> _lines = new();

    public IReadOnlyList<(LogLevel Level, string Text)> Lines => [.. _lines];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _lines.Enqueue((logLevel, formatter(state, exception) + (exception is null ? "" : " " + exception)));
}
