using ArbBot.Engine.Core;
using ArbBot.Engine.Execution;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Portfolio;
using ArbBot.Engine.Venues;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Portfolio;

/// <summary>
/// The dashboard reads the portfolio off the hub's thread while the hub keeps booking fills and adopting marks: every
/// copy a reader keeps must be one moment of the portfolio, never a fill or a batch of marks half applied.
/// </summary>
public sealed class OffHubReadTests
{
    private const decimal Fee = 0.01m;
    private static readonly decimal StartingCash = 1_000_000m;

    /// <summary>
    /// One thread plays the hub (fills, book changes, marks prepared by the reader adopted now and then) while another
    /// reads snapshots and prepares marks. Each fill moves a position, a venue's cash, the fees and the equity together;
    /// each copy the reader keeps must balance: cash + cost held + fees paid = starting cash, the equity equals cash plus
    /// every position at its mark, and unrealized PnL and fees equal their positions' sums.
    /// </summary>
    [Fact]
    public void A_snapshot_read_while_the_hub_books_fills_and_marks_never_shows_one_half_applied()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
        var registry = new InstrumentRegistry();
        var hub = new MarketDataHub(registry, time);
        var markets = Enumerable.Range(0, 24).Select(k => registry.AddMarket(new Market(k % 2 == 0 ? VenueId.Kalshi : VenueId.Polymarket, $"M{k}", "EVT",
            $"M{k}", "rules", "source", new DateTimeOffset(2026, 12, 31, 0, 0, 0, TimeSpan.Zero), TickSize.Cent, 1m, "Yes",
            new FeeParameters(0.007m, 0m, 1)), $"M{k}:yes", $"M{k}:no")).ToArray();
        var instruments = markets.SelectMany(m => new[] { m.Yes, m.No }).ToArray();
        var portfolio = new DeskPortfolio(hub, new Dictionary<VenueId, decimal> { [VenueId.Kalshi] = StartingCash, [VenueId.Polymarket] = StartingCash }, TimeZoneInfo.Utc);
        // Each instrument always fills at its own price: its average cost stays that price, so cost held is exact.
        decimal PriceOf(InstrumentId instrument) => 0.0101m * (instrument.Value % 90 + 1);

        var batches = new System.Collections.Concurrent.ConcurrentQueue<DeskPortfolio.MarkBatch>();
        var writerDone = 0;
        var reads = 0;
        var refused = 0;
        string? failure = null;
        var reader = new Thread(() =>
        {
            var view = new DeskPortfolio.PortfolioView();
            var marksView = new DeskPortfolio.PortfolioView();
            while (Volatile.Read(ref writerDone) == 0)
            {
                var snapshot = portfolio.TryReadSnapshot(view, attempts: 1);
                if (snapshot is null)
                {
                    Interlocked.Increment(ref refused);
                    continue;
                }
                if (Unbalanced(snapshot) is { } problem)
                {
                    Volatile.Write(ref failure, problem);
                    return;
                }
                Interlocked.Increment(ref reads);
                if (reads % 4 == 0 && batches.Count < 4 && portfolio.TryPrepareMarks(marksView, attempts: 1) is { } batch) batches.Enqueue(batch);
            }
        })
        { IsBackground = true, Name = "off-hub reader" };
        reader.Start();

        var random = new Random(7);
        var fills = 0;
        var deadline = DateTime.UtcNow.AddSeconds(120);
        // Until the reader has kept plenty of copies taken among the hub's changes (a slow machine only takes longer).
        while ((Volatile.Read(ref reads) < 2_000 || fills < 20_000) && Volatile.Read(ref failure) is null && DateTime.UtcNow < deadline)
        {
            var instrument = instruments[random.Next(instruments.Length)];
            if (random.Next(3) == 0)
            {
                var bid = random.Next(1, 9_900);
                hub.Apply(BookEvent.Snapshot(instrument, [new BookLevel(Price.FromUnits(bid), 5m)], [new BookLevel(Price.FromUnits(bid + 1 + random.Next(50)), 5m)]));
            }
            else
            {
                var market = registry.MarketOf(instrument);
                fills++;
                portfolio.ApplyFill(new Fill($"f{fills}", $"o{fills}", null, market.Venue, instrument, Side.Buy,
                    Price.FromUnits((int)(PriceOf(instrument) * 10_000m)), random.Next(1, 5), Fee, Liquidity.Taker, time.GetUtcNow()));
            }
            if (batches.TryDequeue(out var batch)) portfolio.ApplyMarks(batch);
            if (random.Next(200) == 0) portfolio.RecomputeUnrealized();
        }
        Volatile.Write(ref writerDone, 1);
        Assert.True(reader.Join(TimeSpan.FromSeconds(60)), "the reader did not stop");
        Assert.Null(failure);
        Assert.True(reads >= 2_000, $"the reader kept only {reads} copies before the deadline ({refused} refused as overlapping a change)");
        // After the hub stopped, the copy is the hub's own snapshot, figure for figure.
        portfolio.RecomputeUnrealized();
        var final = portfolio.TryReadSnapshot();
        Assert.NotNull(final);
        Assert.Null(Unbalanced(final));
        Assert.Equal(portfolio.Snapshot().Equity, final.Equity);
    }

    /// <summary>
    /// A fill on one leg of a set changes how many contracts of the other leg are free, and so what the other leg's mark
    /// is worth: a mark prepared for that other leg before the fill (its book moved, the position did not) must not be
    /// adopted as prepared. The equity after adopting equals a full valuation and marking on the hub.
    /// </summary>
    [Fact]
    public void A_mark_prepared_before_a_fill_on_another_leg_of_its_set_is_valued_with_the_contracts_free_after_it()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
        var registry = new InstrumentRegistry();
        var hub = new MarketDataHub(registry, time);
        Market AddMarket(VenueId venue, string key) => registry.AddMarket(new Market(venue, key, "EVT", key, "rules", "source",
            new DateTimeOffset(2026, 12, 31, 0, 0, 0, TimeSpan.Zero), TickSize.Cent, 1m, "Yes", new FeeParameters(0.007m, 0m, 1)), $"{key}:yes", $"{key}:no");
        var kalshi = AddMarket(VenueId.Kalshi, "K");
        var polymarket = AddMarket(VenueId.Polymarket, "P");
        void Quote(InstrumentId instrument, int bid, int ask) =>
            hub.Apply(BookEvent.Snapshot(instrument, [new BookLevel(Price.FromUnits(bid), 5m)], [new BookLevel(Price.FromUnits(ask), 5m)]));
        var fills = 0;
        Fill Fill(Market market, InstrumentId instrument, Side side, int units, decimal quantity) =>
            new($"f{++fills}", $"o{fills}", null, market.Venue, instrument, side, Price.FromUnits(units), quantity, 0m, Liquidity.Taker, time.GetUtcNow());

        DeskPortfolio Run(bool offHub)
        {
            var portfolio = new DeskPortfolio(hub, new Dictionary<VenueId, decimal> { [VenueId.Kalshi] = 1_000m, [VenueId.Polymarket] = 1_000m }, TimeZoneInfo.Utc);
            portfolio.TrackSet(1, [kalshi.Yes, polymarket.No]);
            Quote(kalshi.Yes, 4_000, 4_200);
            Quote(polymarket.No, 5_600, 5_800);
            // 10 YES and 5 NO: 5 sets, 5 YES free, no NO free.
            Assert.True(portfolio.ApplyFill(Fill(kalshi, kalshi.Yes, Side.Buy, 4_200, 10m)));
            Assert.True(portfolio.ApplyFill(Fill(polymarket, polymarket.No, Side.Buy, 5_800, 5m)));
            portfolio.RecomputeUnrealized();
            // NO's book moves: its mark moves (nothing of it is free yet, so its term is 0).
            Quote(polymarket.No, 6_000, 6_400);
            var batch = offHub ? portfolio.TryPrepareMarks(new DeskPortfolio.PortfolioView()) : null;
            // Selling 8 YES leaves 2 sets: 3 NO are free now, worth their mark.
            Assert.True(portfolio.ApplyFill(Fill(kalshi, kalshi.Yes, Side.Sell, 4_000, 8m)));
            if (batch is not null) portfolio.ApplyMarks(batch);
            else portfolio.RecomputeUnrealized();
            return portfolio;
        }

        var onHub = Run(offHub: false);
        var offHub = Run(offHub: true);
        Assert.Equal(onHub.ComputeEquityInFull(), onHub.Equity);
        Assert.Equal(offHub.ComputeEquityInFull(), offHub.Equity);
        Assert.Equal(onHub.Equity, offHub.Equity);
        Assert.Equal(onHub.Snapshot().Positions, offHub.TryReadSnapshot()!.Positions);
    }

    /// <summary>What does not balance in a copy (null when everything does).</summary>
    private static string? Unbalanced(PortfolioSnapshot s)
    {
        var cash = s.Cash.Values.Sum();
        var held = s.Positions.Sum(p => p.Quantity * p.AverageCost);
        var fees = s.Positions.Sum(p => p.FeesPaid);
        if (cash + held + fees != 2 * StartingCash) return $"cash {cash} + held {held} + fees {fees} is not the starting cash: a fill half applied";
        if (fees != s.FeesPaid) return $"fees {s.FeesPaid} against the positions' {fees}";
        var atMarks = cash + s.Positions.Sum(p => p.Quantity * (p.Mark ?? p.AverageCost));
        if (atMarks != s.Equity) return $"equity {s.Equity} against cash plus positions at their marks {atMarks}: marks half applied";
        var unrealized = s.Positions.Sum(p => p.Mark is { } mark ? (mark - p.AverageCost) * p.Quantity : 0m);
        if (unrealized != s.UnrealizedPnl) return $"unrealized {s.UnrealizedPnl} against the positions' {unrealized}";
        if (s.RealizedPnl != -s.FeesPaid) return $"realized {s.RealizedPnl} with buys only must be minus the fees {s.FeesPaid}";
        if (s.Drawdown < 0m || s.PeakEquity < s.Equity) return $"peak {s.PeakEquity} below equity {s.Equity}";
        return null;
    }
}
