using ArbBot.Engine.Core;
using ArbBot.Engine.Events;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Strategies;
using ArbBot.Engine.Strategies.SpikeHunter;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Strategies.SpikeHunter;

using Hunter = ArbBot.Engine.Strategies.SpikeHunter.SpikeHunter;

/// <summary>
/// The hunter on the whole paper desk, with scripted books: one market's YES mid is set each second (NO mirrors it) and
/// the hub's clock drives sampling, the risk gate and paper fills.
/// </summary>
public sealed class SpikeHunterTests
{
    [Theory]
    [InlineData(SpikeDirection.Up, SpikeTradeDirection.Fade, false)]
    [InlineData(SpikeDirection.Down, SpikeTradeDirection.Fade, true)]
    [InlineData(SpikeDirection.Up, SpikeTradeDirection.Follow, true)]
    [InlineData(SpikeDirection.Down, SpikeTradeDirection.Follow, false)]
    public void Fade_buys_against_the_spike_and_follow_with_it(SpikeDirection spike, SpikeTradeDirection mode, bool buysYes)
    {
        var market = new Market(VenueId.Polymarket, "m", "e", "t", "", "", DateTimeOffset.MaxValue, TickSize.Cent, 1m, "Yes", FeeParameters.None,
            new InstrumentId(10), new InstrumentId(11));
        Assert.Equal(buysYes ? market.Yes : market.No, Hunter.InstrumentToBuy(market, spike, mode));
    }

    [Fact]
    public async Task Fading_a_jump_buys_NO_through_the_risk_gate_and_takes_profit_when_it_reverts()
    {
        var desk = await ScriptedDesk.CreateAsync();
        desk.Warm(0.50m);
        desk.Second(0.60m);
        desk.Settle();

        var entry = Assert.Single(desk.Harness.Journal.Opportunities, o => o.Strategy == Hunter.StrategyName && o.Decision is OpportunityDecision.Taken or OpportunityDecision.Resized);
        Assert.Null(entry.PairId);
        Assert.Equal(desk.Market.No, Assert.Single(entry.Legs).Instrument);
        Assert.Contains("Faded the jump: bought NO", entry.Reason, StringComparison.Ordinal);
        var position = Assert.Single(desk.Hunter.Positions);
        Assert.Equal(SpikePositionState.Open, position.State);
        // Volatility after the spike (α = 2/21): √((1 − α)·α·0.1²); stop and target 2 and 3 of it from the entry price.
        var alpha = 2.0 / 21;
        var vol = (decimal)Math.Sqrt((1 - alpha) * alpha * 0.01);
        Assert.Equal(position.EntryPrice - 2m * vol, position.StopPrice, 10);
        Assert.Equal(position.EntryPrice + 3m * vol, position.TakeProfitPrice, 10);
        Assert.All(desk.Harness.Journal.Transitions.Where(t => t.OpportunityId == entry.Id), t => Assert.Equal(OrderRole.Single, t.Role));

        desk.Second(0.45m); // YES ask 0.46 → NO bid 0.54, above the target
        desk.Settle();

        var outcome = Assert.Single(desk.Harness.Journal.Outcomes, o => o.OpportunityId == entry.Id);
        Assert.Equal(ExecutionOutcomeKind.Closed, outcome.Kind);
        Assert.True(outcome.LockedProfit > 0m);
        Assert.Contains("CUSUM+", outcome.Summary, StringComparison.Ordinal);
        Assert.Contains("on take-profit", outcome.Summary, StringComparison.Ordinal);
        Assert.Empty(desk.Hunter.Positions);
        Assert.Equal(0m, desk.Harness.Desk.Portfolio.QuantityOf(desk.Market.No));
        Assert.Equal(1, desk.Hunter.Kelly.Wins);
    }

    [Fact]
    public async Task A_position_that_keeps_going_against_it_is_stopped_out()
    {
        var desk = await ScriptedDesk.CreateAsync();
        desk.Warm(0.50m);
        desk.Second(0.60m);
        desk.Settle();
        desk.Second(0.70m); // NO bid 0.29: below the stop
        desk.Settle();

        var outcome = Assert.Single(desk.Harness.Journal.Outcomes, o => o.Strategy == Hunter.StrategyName);
        Assert.Contains("on stop loss", outcome.Summary, StringComparison.Ordinal);
        Assert.True(outcome.LockedProfit < 0m);
        Assert.Equal(1, desk.Hunter.Kelly.Losses);
    }

    [Fact]
    public async Task A_position_going_nowhere_is_closed_at_the_maximum_holding_time()
    {
        var desk = await ScriptedDesk.CreateAsync(s => s with { MaxHoldingTime = TimeSpan.FromSeconds(20) });
        desk.Warm(0.50m);
        desk.Second(0.60m);
        for (var i = 0; i < 25; i++) desk.Second(0.60m);
        desk.Settle();

        var outcome = Assert.Single(desk.Harness.Journal.Outcomes, o => o.Strategy == Hunter.StrategyName);
        Assert.Contains("on maximum holding time", outcome.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void The_trailing_stop_only_tightens()
    {
        var market = new Market(VenueId.Polymarket, "m", "e", "t", "", "", DateTimeOffset.MaxValue, TickSize.Cent, 1m, "Yes", FeeParameters.None);
        var opportunity = new Opportunity(1, Hunter.StrategyName, null, DateTimeOffset.UnixEpoch, [], 1m, 0m, 0m, 0m, 0m, OpportunityDecision.Taken, "");
        var position = new SpikePosition(opportunity, market, market.No, SpikeDirection.Up, SpikeTradeDirection.Fade, 0.02, "", DateTimeOffset.UnixEpoch)
        {
            EntryPrice = 0.40m,
            StopPrice = 0.36m,
            TrailingStop = 0.36m,
            TakeProfitPrice = 0.46m,
            OpenedAt = DateTimeOffset.UnixEpoch,
        };
        var settings = new SpikeHunterSettings(); // trailing 1.5 volatilities = 0.03

        Hunter.RaiseTrailingStop(position, 0.38m, settings); // 0.35 < 0.36: unchanged
        Assert.Equal(0.36m, position.TrailingStop);
        Hunter.RaiseTrailingStop(position, 0.44m, settings); // 0.41
        Assert.Equal(0.41m, position.TrailingStop);
        Hunter.RaiseTrailingStop(position, 0.42m, settings); // 0.39 < 0.41: stays
        Assert.Equal(0.41m, position.TrailingStop);
        Assert.Null(Hunter.ExitReason(position, 0.42m, settings, DateTimeOffset.UnixEpoch));
        Assert.StartsWith("trailing stop", Hunter.ExitReason(position, 0.41m, settings, DateTimeOffset.UnixEpoch), StringComparison.Ordinal);
        Assert.StartsWith("take-profit", Hunter.ExitReason(position, 0.46m, settings, DateTimeOffset.UnixEpoch), StringComparison.Ordinal);
        Assert.StartsWith("maximum holding time", Hunter.ExitReason(position, 0.42m, settings, DateTimeOffset.UnixEpoch + settings.MaxHoldingTime), StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_a_trade_the_market_cools_down()
    {
        var desk = await ScriptedDesk.CreateAsync();
        desk.Warm(0.50m);
        desk.Second(0.60m);
        desk.Settle();
        desk.Second(0.45m);
        desk.Settle();
        Assert.Single(desk.Harness.Journal.Outcomes, o => o.Strategy == Hunter.StrategyName);

        desk.Second(0.80m); // a fresh spike inside the 30 s cooldown
        desk.Settle();

        Assert.Contains(desk.Hunter.Board.Signals, s => s.Action == SignalAction.Skipped && s.Explanation.Contains("No trade: the market is cooling down", StringComparison.Ordinal));
        Assert.Single(desk.Harness.Journal.Opportunities, o => o.Strategy == Hunter.StrategyName);
        Assert.Empty(desk.Hunter.Positions);
    }

    [Fact]
    public async Task No_more_than_the_maximum_positions_are_open_at_once()
    {
        var desk = await ScriptedDesk.CreateAsync(s => s with { MaxConcurrentPositions = 1 }, markets: 2);
        desk.Warm(0.50m);
        desk.Second(0.60m);
        desk.Settle();

        Assert.Single(desk.Hunter.Positions);
        Assert.Contains(desk.Hunter.Board.Signals, s => s.Action == SignalAction.Skipped && s.Explanation.Contains("1 spike positions are open (maximum 1)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Following_a_jump_buys_YES_and_a_disabled_hunter_only_watches()
    {
        var follow = await ScriptedDesk.CreateAsync(s => s with { Direction = SpikeTradeDirection.Follow });
        follow.Warm(0.50m);
        follow.Second(0.60m);
        follow.Settle();
        Assert.Equal(follow.Market.Yes, Assert.Single(follow.Hunter.Positions).Instrument);

        var off = await ScriptedDesk.CreateAsync(s => s with { Enabled = false });
        off.Warm(0.50m);
        off.Second(0.60m);
        off.Settle();
        Assert.Empty(off.Hunter.Positions);
        Assert.DoesNotContain(off.Harness.Journal.Opportunities, o => o.Strategy == Hunter.StrategyName);
        Assert.Contains(off.Hunter.Board.Signals, s => s.Action == SignalAction.Skipped && s.Explanation.Contains("the spike hunter is switched off", StringComparison.Ordinal));
    }

    /// <summary>A paper desk whose spiking markets get scripted books; every other market keeps its first snapshot.</summary>
    private sealed class ScriptedDesk
    {
        private long _sequence = 1_000_000;

        private ScriptedDesk(PaperDeskHarness harness, IReadOnlyList<Market> markets)
        {
            Harness = harness;
            Markets = markets;
        }

        public PaperDeskHarness Harness { get; }
        public IReadOnlyList<Market> Markets { get; }
        public Market Market => Markets[0];
        public Hunter Hunter => Harness.Desk.SpikeHunter;

        public static async Task<ScriptedDesk> CreateAsync(Func<SpikeHunterSettings, SpikeHunterSettings>? configure = null, int markets = 1)
        {
            var harness = await PaperDeskHarness.CreateAsync(seed: 3);
            var enabled = new SpikeHunterSettings { Enabled = true };
            harness.Desk.SpikeHunter.Controls.Apply(configure?.Invoke(enabled) ?? enabled);
            var chosen = harness.Registry.Markets.Where(m => m.Venue == VenueId.Polymarket).OrderBy(m => m.Yes.Value).Take(markets).ToList();
            return new ScriptedDesk(harness, chosen);
        }

        /// <summary>21 seconds at a flat mid: the detectors are warm (span 20).</summary>
        public void Warm(decimal mid)
        {
            for (var i = 0; i < 21; i++) Second(mid);
        }

        /// <summary>Sets every scripted market's YES mid (bid and ask a cent either side, deep), then lets one second pass.</summary>
        public void Second(decimal mid)
        {
            foreach (var market in Markets)
            {
                var bid = Price.FromDecimal(mid - 0.01m);
                var ask = Price.FromDecimal(mid + 0.01m);
                Harness.Hub.TryPost(BookEvent.Snapshot(market.Yes, [new BookLevel(bid, 5_000m)], [new BookLevel(ask, 5_000m)], ++_sequence));
                Harness.Hub.TryPost(BookEvent.Snapshot(market.No, [new BookLevel(ask.Complement, 5_000m)], [new BookLevel(bid.Complement, 5_000m)], ++_sequence));
            }
            Harness.Hub.DrainPending();
            for (var i = 0; i < 100; i++)
            {
                Harness.Time.Advance(TimeSpan.FromMilliseconds(10));
                Harness.Hub.DrainPending();
            }
        }

        /// <summary>Lets orders fill and exits go out (two more samples at the same books).</summary>
        public void Settle()
        {
            for (var i = 0; i < 300; i++)
            {
                Harness.Time.Advance(TimeSpan.FromMilliseconds(10));
                Harness.Hub.DrainPending();
            }
        }
    }
}
