using ArbBot.Engine.Core;
using ArbBot.Engine.Events;
using ArbBot.Engine.Execution;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Risk;
using ArbBot.Engine.Strategies;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Execution;

/// <summary>
/// A hub with one Kalshi and one Polymarket market, scripted gateways on both venues, a recording journal and the
/// executor wired the way the engine wires it (gateway → hub listener → executor). The test thread plays the hub's
/// thread: <see cref="Pump"/> runs what the gateways and timers posted.
/// </summary>
public sealed class ExecutorHarness
{
    public const long PairId = 7;
    public const decimal FeePerContract = 0.007m;

    public ManualTimeProvider Time { get; } = new();
    public InstrumentRegistry Registry { get; } = new();
    public MarketDataHub Hub { get; }
    public HubExecutionListener Listener { get; }
    public ScriptedOrderGateway Kalshi { get; }
    public ScriptedOrderGateway Polymarket { get; }
    public RecordingJournal Journal { get; } = new();
    public RiskLimits Limits { get; set; } = new() { SlippageTolerance = 0.02m, MaxHedgeLoss = 0.03m, OrderTimeout = TimeSpan.FromSeconds(5) };
    public ArbitrageExecutorOptions Options { get; }
    public ArbitrageExecutor Executor { get; }
    public Market KalshiMarket { get; }
    public Market PolymarketMarket { get; }

    public ExecutorHarness(ArbitrageExecutorOptions? options = null)
    {
        Hub = new MarketDataHub(Registry, Time);
        Listener = new HubExecutionListener(Hub);
        KalshiMarket = Registry.AddMarket(NewMarket(VenueId.Kalshi, "KXFED-26DEC"), "KXFED-26DEC:yes", "KXFED-26DEC:no");
        PolymarketMarket = Registry.AddMarket(NewMarket(VenueId.Polymarket, "0xfed"), "tok-yes", "tok-no");
        Kalshi = new ScriptedOrderGateway(VenueId.Kalshi, Listener, Time, FeePerContract);
        Polymarket = new ScriptedOrderGateway(VenueId.Polymarket, Listener, Time, FeePerContract);
        Options = options ?? new ArbitrageExecutorOptions { ExpiryGrace = TimeSpan.FromSeconds(2), MaxHedgeAttempts = 2 };
        Executor = new ArbitrageExecutor(Hub,
            new Dictionary<VenueId, IOrderGateway> { [VenueId.Kalshi] = Kalshi, [VenueId.Polymarket] = Polymarket },
            Journal, () => Limits, Options);
        Listener.Attach(Executor);
        // A taker pays the resting price: the later leg's limit carries slippage room, the fill does not use it.
        Polymarket.DefaultScript = GatewayScript.FillAll(0.49m);

        // Kalshi's YES is the thinner leg at the planned prices, so it goes first.
        Book(KalshiYes, bids: [(0.45m, 100m)], asks: [(0.47m, 50m), (0.50m, 100m)]);
        Book(PolymarketNo, bids: [(0.47m, 100m)], asks: [(0.49m, 200m), (0.52m, 100m)]);
    }

    public InstrumentId KalshiYes => KalshiMarket.Yes;
    public InstrumentId PolymarketNo => PolymarketMarket.No;

    public static Market NewMarket(VenueId venue, string key) =>
        new(venue, key, "EVT", "Fed cuts in December?", "rules", "source", new DateTimeOffset(2026, 12, 31, 0, 0, 0, TimeSpan.Zero),
            TickSize.Cent, 1m, "Yes", new FeeParameters(FeePerContract, 0m, 1));

    public void Book(InstrumentId instrument, (decimal Price, decimal Size)[] bids, (decimal Price, decimal Size)[] asks) =>
        Hub.Apply(BookEvent.Snapshot(instrument,
            [.. bids.Select(l => new BookLevel(Price.FromDecimal(l.Price), l.Size))],
            [.. asks.Select(l => new BookLevel(Price.FromDecimal(l.Price), l.Size))]));

    /// <summary>The 40-set YES Kalshi + NO Polymarket opportunity at 0.47 + 0.49.</summary>
    public Opportunity Opportunity(long id = 1, long? pairId = PairId, decimal quantity = 40m, decimal kalshiWorst = 0.47m, decimal polymarketWorst = 0.49m)
    {
        var fees = quantity * FeePerContract;
        OpportunityLeg Leg(InstrumentId instrument, VenueId venue, decimal worst) =>
            new(instrument, venue, Side.Buy, Price.FromDecimal(worst), worst, fees, Price.FromDecimal(worst), quantity, 1, TimeSpan.Zero);
        var edge = 1m - kalshiWorst - polymarketWorst - 2 * FeePerContract;
        return new Opportunity(id, "cross-venue", pairId, Time.GetUtcNow(),
            [Leg(KalshiYes, VenueId.Kalshi, kalshiWorst), Leg(PolymarketNo, VenueId.Polymarket, polymarketWorst)],
            quantity, 1m - kalshiWorst - polymarketWorst, 2 * fees, edge, edge * quantity, OpportunityDecision.Taken, "test");
    }

    public void Execute(Opportunity opportunity, decimal? quantity = null)
    {
        Assert.True(Executor.TryExecute(opportunity, quantity ?? opportunity.Quantity, out var refusal), refusal);
    }

    /// <summary>Runs everything the gateways and timers posted, as the hub loop would.</summary>
    public void Pump()
    {
        while (Hub.DrainPending() > 0)
        {
        }
    }

    /// <summary>
    /// Moves the clock in small steps, running the hub after each, so work a timer posts runs (and arms its own timers)
    /// close to when it fell due, as it would on the running hub.
    /// </summary>
    public void Advance(TimeSpan by)
    {
        var step = TimeSpan.FromMilliseconds(10);
        while (by > TimeSpan.Zero)
        {
            var next = by < step ? by : step;
            Time.Advance(next);
            Pump();
            by -= next;
        }
    }

    public ExecutionOutcome Outcome => Assert.Single(Journal.Outcomes);

    /// <summary>Each order's transitions chain from New, one legal step at a time.</summary>
    public void AssertLegalChains()
    {
        foreach (var group in Journal.Transitions.GroupBy(t => t.ClientOrderId))
        {
            var state = OrderStatus.New;
            foreach (var t in group)
            {
                Assert.Equal(state, t.From);
                Assert.True(OrderStateMachine.IsLegal(t.From, t.To), $"{t.ClientOrderId}: {t.From} → {t.To}");
                state = t.To;
            }
        }
    }
}
