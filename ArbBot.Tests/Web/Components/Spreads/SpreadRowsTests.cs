using ArbBot.Engine.Control;
using ArbBot.Engine.Core;
using ArbBot.Engine.Desk;
using ArbBot.Engine.Matching;
using ArbBot.Engine.Risk;
using ArbBot.Engine.Strategies.CrossVenueArb;
using ArbBot.Tests.Execution;
using ArbBot.Tests.Fixtures;
using ArbBot.Web.Components.Spreads;

namespace ArbBot.Tests.Web.Components.Spreads;

public sealed class SpreadRowsTests
{
    private readonly InstrumentRegistry _registry = new();
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public void A_page_holds_the_approved_pairs_at_its_place_in_the_snapshots_order_with_their_own_sets()
    {
        // 130 pairs, every fourth paused: 98 approved.
        var (snapshot, approved) = Desk(130, paused: id => id % 4 == 3);

        Assert.Equal(approved.Count, SpreadRows.CountApproved(snapshot));
        var second = SpreadRows.Build(snapshot, _registry, _ => null, skip: SpreadRows.PageSize, take: SpreadRows.PageSize);
        Assert.Equal(approved.Skip(SpreadRows.PageSize).Take(SpreadRows.PageSize), second.Select(r => r.PairId));
        Assert.All(second, row =>
        {
            Assert.Equal([0, 1], row.Sets.Select(s => s.SetIndex));
            // Each pair's own figures, not another pair's.
            Assert.Equal(Price.FromDecimal(0.30m + row.PairId / 1000m), row.Sets[0].KalshiAsk);
        });
        var last = SpreadRows.Build(snapshot, _registry, _ => null, skip: 2 * SpreadRows.PageSize, take: SpreadRows.PageSize);
        Assert.Equal(approved.Skip(2 * SpreadRows.PageSize), last.Select(r => r.PairId));
        Assert.Empty(SpreadRows.Build(snapshot, _registry, _ => null, skip: 3 * SpreadRows.PageSize, take: SpreadRows.PageSize));
    }

    [Fact]
    public void Without_a_page_every_approved_pair_is_built()
    {
        var (snapshot, approved) = Desk(7, paused: id => id == 2);

        Assert.Equal(approved, SpreadRows.Build(snapshot, _registry, _ => null).Select(r => r.PairId));
    }

    private (DeskSnapshot Snapshot, List<long> Approved) Desk(int count, Func<long, bool> paused)
    {
        var pairs = new List<MarketPair>();
        var spreads = new List<ArbSetSpread>();
        var approved = new List<long>();
        for (long id = 1; id <= count; id++)
        {
            var kalshi = _registry.AddMarket(ExecutorHarness.NewMarket(VenueId.Kalshi, $"KX-{id}"), $"KX-{id}:yes", $"KX-{id}:no");
            var polymarket = _registry.AddMarket(ExecutorHarness.NewMarket(VenueId.Polymarket, $"0x{id:x}"), $"tok-{id}-yes", $"tok-{id}-no");
            var status = paused(id) ? PairStatus.Paused : PairStatus.Approved;
            if (status == PairStatus.Approved) approved.Add(id);
            pairs.Add(new MarketPair(id, kalshi.MarketKey, polymarket.MarketKey, PairMapping.YesYes, status, 90, [], [], _time.GetUtcNow(), _time.GetUtcNow(), "admin"));
            // Sets listed out of order and pairs interleaved, as the snapshot may hold them.
            spreads.Add(new ArbSetSpread(id, 1, kalshi.No, polymarket.Yes, ArbSetState.NoEdge, Price.FromDecimal(0.50m), Price.FromDecimal(0.55m), 1.05m, -0.05m, -0.07m, 10m, 1));
        }
        for (long id = 1; id <= count; id++)
        {
            var kalshi = _registry.Markets.Single(m => m.MarketKey == $"KX-{id}");
            var polymarket = _registry.Markets.Single(m => m.MarketKey == $"0x{id:x}");
            spreads.Add(new ArbSetSpread(id, 0, kalshi.Yes, polymarket.No, ArbSetState.Edge, Price.FromDecimal(0.30m + id / 1000m), Price.FromDecimal(0.40m), 0.70m, 0.30m, 0.25m, 10m, 1));
        }
        var snapshot = DeskSnapshot.Empty(new ControlState(false, null, false, null, new RiskLimits()), _time) with { Pairs = pairs, Spreads = spreads };
        return (snapshot, approved);
    }
}
