using ArbBot.Engine.Core;
using ArbBot.Engine.Events;
using ArbBot.Engine.Execution;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Portfolio;
using ArbBot.Engine.Risk;
using ArbBot.Engine.Strategies;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Execution;

/// <summary>The executor end to end with the real paper gateways matching against hand-built books on the hub.</summary>
public sealed class PaperArbitrageExecutionTests : IDisposable
{
    private readonly ManualTimeProvider _time = new();
    private readonly InstrumentRegistry _registry = new();
    private readonly MarketDataHub _hub;
    private readonly RecordingJournal _journal = new();
    private readonly PaperOrderGateway _kalshi;
    private readonly PaperOrderGateway _polymarket;
    private readonly ArbitrageExecutor _executor;
    private readonly DeskPortfolio _portfolio;
    private readonly Market _k;
    private readonly Market _p;

    public PaperArbitrageExecutionTests()
    {
        _hub = new MarketDataHub(_registry, _time);
        var listener = new HubExecutionListener(_hub);
        _k = _registry.AddMarket(ExecutorHarness.NewMarket(VenueId.Kalshi, "KXFED-26DEC"), "KXFED-26DEC:yes", "KXFED-26DEC:no");
        _p = _registry.AddMarket(ExecutorHarness.NewMarket(VenueId.Polymarket, "0xfed"), "tok-yes", "tok-no");
        var paper = new PaperExecutionOptions { Latency = TimeSpan.FromMilliseconds(50) };
        _kalshi = new PaperOrderGateway(VenueId.Kalshi, _hub, _registry, new FlatRateFeeModel(), _time, paper, listener);
        _polymarket = new PaperOrderGateway(VenueId.Polymarket, _hub, _registry, new FlatRateFeeModel(), _time, paper, listener);
        _executor = new ArbitrageExecutor(_hub, new Dictionary<VenueId, IOrderGateway> { [VenueId.Kalshi] = _kalshi, [VenueId.Polymarket] = _polymarket },
            _journal, () => new RiskLimits(), new ArbitrageExecutorOptions());
        _portfolio = new DeskPortfolio(_hub, new Dictionary<VenueId, decimal> { [VenueId.Kalshi] = 500m, [VenueId.Polymarket] = 500m }, TimeZoneInfo.Utc);
        _portfolio.TrackSet(ExecutorHarness.PairId, [_k.Yes, _p.No]);
        listener.Attach(_executor);
        listener.Attach(_portfolio);
    }

    public void Dispose()
    {
        _kalshi.Dispose();
        _polymarket.Dispose();
    }

    [Fact]
    public void Paper_fills_on_both_venues_lock_the_sets_in_the_outcome_and_the_portfolio()
    {
        Book(_k.Yes, bids: [(0.45m, 100m)], asks: [(0.47m, 40m), (0.55m, 100m)]);
        Book(_p.No, bids: [(0.47m, 100m)], asks: [(0.49m, 300m)]);

        Assert.True(_executor.TryExecute(Opportunity(), 40m, out _));
        Run(TimeSpan.FromMilliseconds(200));

        var outcome = Assert.Single(_journal.Outcomes);
        Assert.Equal(ExecutionOutcomeKind.Hedged, outcome.Kind);
        Assert.Equal("Bought 40 YES on Kalshi at 0.47 and 40 NO on Polymarket at 0.49; locked $1.04 after $0.56 fees.", outcome.Summary);
        Assert.Equal(TimeSpan.FromMilliseconds(100), outcome.DetectionToLastFill);

        var holding = _portfolio.HoldingOf(ExecutorHarness.PairId);
        Assert.Equal((40m, 1.04m), (holding.SetsHeld, holding.LockedProfit));
        Assert.Equal(500m - 18.8m - 0.28m, _portfolio.AvailableBalance(VenueId.Kalshi));
        Assert.Equal(2, _portfolio.OpenPositionCount);
    }

    [Fact]
    public void A_paper_second_leg_that_meets_a_thinned_book_is_hedged_from_the_next_level()
    {
        Book(_k.Yes, bids: [(0.45m, 100m)], asks: [(0.47m, 40m)]);
        Book(_p.No, bids: [(0.47m, 100m)], asks: [(0.49m, 300m)]);

        Assert.True(_executor.TryExecute(Opportunity(), 40m, out _));
        // Before the later leg arrives, Polymarket's 0.49 level shrinks to 25 and the next is at 0.53, past the tolerance.
        Book(_p.No, bids: [(0.47m, 100m)], asks: [(0.49m, 25m), (0.53m, 100m)]);
        Run(TimeSpan.FromMilliseconds(300));

        var outcome = Assert.Single(_journal.Outcomes);
        Assert.Equal((ExecutionOutcomeKind.HedgedBeyondSlippage, 40m), (outcome.Kind, outcome.HedgedQuantity));
        Assert.Equal(40m, _portfolio.QuantityOf(_p.No));
        Assert.Equal(0m, _executor.UnhedgedExposure(ExecutorHarness.PairId));
    }

    private Opportunity Opportunity()
    {
        const decimal fee = 40m * ExecutorHarness.FeePerContract;
        OpportunityLeg Leg(InstrumentId instrument, VenueId venue, decimal worst) =>
            new(instrument, venue, Side.Buy, Price.FromDecimal(worst), worst, fee, Price.FromDecimal(worst), 40m, 1, TimeSpan.Zero);
        return new Opportunity(1, "cross-venue", ExecutorHarness.PairId, _time.GetUtcNow(),
            [Leg(_k.Yes, VenueId.Kalshi, 0.47m), Leg(_p.No, VenueId.Polymarket, 0.49m)], 40m, 0.04m, 2 * fee, 0.026m, 1.04m,
            OpportunityDecision.Taken, "test");
    }

    private void Book(InstrumentId instrument, (decimal Price, decimal Size)[] bids, (decimal Price, decimal Size)[] asks) =>
        _hub.Apply(BookEvent.Snapshot(instrument,
            [.. bids.Select(l => new BookLevel(Price.FromDecimal(l.Price), l.Size))],
            [.. asks.Select(l => new BookLevel(Price.FromDecimal(l.Price), l.Size))]));

    private void Run(TimeSpan duration)
    {
        for (var t = TimeSpan.Zero; t < duration; t += TimeSpan.FromMilliseconds(10))
        {
            _time.Advance(TimeSpan.FromMilliseconds(10));
            while (_hub.DrainPending() > 0)
            {
            }
        }
    }
}
