using ArbBot.Engine.Core;
using ArbBot.Engine.Events;
using ArbBot.Engine.Execution;
using ArbBot.Engine.Portfolio;
using ArbBot.Engine.Strategies;
using ArbBot.Engine.Strategies.MultiOutcomeArb;
using ArbBot.Tests.Execution;

namespace ArbBot.Tests.Strategies.MultiOutcomeArb;

/// <summary>
/// A three-outcome NO set on one venue through the real executor (scripted Polymarket gateway, flat fee 0.007 per
/// contract): every leg fills, or one leg fails and the others are sold back. The set pays 2 (three outcomes, one wins).
/// </summary>
public sealed class MultiOutcomeExecutionTests
{
    private const string EventKey = "Polymarket:fed-decision";

    private readonly ExecutorHarness _h = new();
    private readonly Market[] _markets;
    private readonly DeskPortfolio _portfolio;

    public MultiOutcomeExecutionTests()
    {
        _markets = [.. new[] { "Cut", "Hold", "Hike" }.Select(outcome =>
        {
            var key = "0xfed-" + outcome;
            return _h.Registry.AddMarket(ExecutorHarness.NewMarket(VenueId.Polymarket, key) with { EventKey = "fed-decision", OutcomeLabel = outcome },
                key + ":yes", key + ":no");
        })];
        // Hold's NO book is the thinnest for 20 sets, so it goes first; Cut and Hike follow.
        _h.Book(_markets[0].No, bids: [(0.78m, 100m)], asks: [(0.80m, 100m)]);
        _h.Book(_markets[1].No, bids: [(0.53m, 100m)], asks: [(0.55m, 30m)]);
        _h.Book(_markets[2].No, bids: [(0.57m, 200m)], asks: [(0.60m, 200m)]);
        _portfolio = new DeskPortfolio(_h.Hub, new Dictionary<VenueId, decimal> { [VenueId.Polymarket] = 1_000m }, TimeZoneInfo.Utc);
        _portfolio.TrackEventSet(EventKey, [.. _markets.Select(m => m.No)], 2m);
        _h.Listener.Attach(_portfolio);
    }

    [Fact]
    public void Every_leg_filling_locks_the_sets_at_their_payout_and_the_portfolio_values_them_so()
    {
        _h.Polymarket.Then(GatewayScript.FillAll(0.55m)).Then(GatewayScript.FillAll(0.80m)).Then(GatewayScript.FillAll(0.60m));

        _h.Execute(NoSet());
        Assert.True(_h.Executor.IsExecuting(EventKey));
        _h.Pump();

        Assert.Equal([_markets[1].No, _markets[0].No, _markets[2].No], _h.Polymarket.Placed.Select(o => o.Instrument));
        var outcome = _h.Outcome;
        Assert.Equal((MultiOutcomeArbitrage.StrategyName, (long?)null, ExecutionOutcomeKind.Hedged), (outcome.Strategy, outcome.PairId, outcome.Kind));
        // 20 sets pay 40; they cost 20 × (.80 + .55 + .60) = 39 and 60 × 0.007 = 0.42 in fees.
        Assert.Equal((20m, 0m, 39m, 0.42m, 0.58m), (outcome.HedgedQuantity, outcome.ResidualQuantity, outcome.NetCashOut, outcome.Fees, outcome.LockedProfit));
        Assert.Equal("Bought 20 NO Cut on Polymarket at 0.80, 20 NO Hold on Polymarket at 0.55 and 20 NO Hike on Polymarket at 0.60; locked $0.58 after $0.42 fees.",
            outcome.Summary);
        Assert.Equal((1, 1, 1, 0), (_h.Executor.Stats.Attempted, _h.Executor.Stats.Executed, _h.Executor.Stats.HedgedWithinSlippage, _h.Executor.Stats.Failures));
        Assert.False(_h.Executor.IsExecuting(EventKey));
        Assert.False(_h.Executor.HasOrderInFlight(EventKey));
        Assert.Equal(_h.Time.GetUtcNow(), _h.Executor.LastTradeAt(EventKey));
        Assert.All(_h.Journal.Fills, f => Assert.Equal((1L, (long?)null), (f.OpportunityId!.Value, f.PairId)));

        // The complete sets count at what they pay, not at the books' mids.
        Assert.Equal(new EventHolding(EventKey, 20m, 39m, 0.58m), _portfolio.HoldingOfEvent(EventKey));
        Assert.Equal(1_000m - 39m - 0.42m + 40m, _portfolio.Equity);
    }

    [Fact]
    public void A_failing_leg_is_unwound_by_selling_back_the_others()
    {
        // Hike's NO is refused, and its ask moves beyond what would keep a completed set within the hedge loss: the
        // desk sells back Cut and Hold at their bids instead.
        _h.Polymarket.Then(GatewayScript.FillAll(0.55m)).Then(GatewayScript.FillAll(0.80m)).Then(GatewayScript.Reject("insufficient liquidity"))
            .Then(GatewayScript.FillAll(0.78m)).Then(GatewayScript.FillAll(0.53m));
        _h.Execute(NoSet());
        _h.Book(_markets[2].No, bids: [(0.57m, 200m)], asks: [(0.70m, 200m)]);
        _h.Pump();

        var outcome = _h.Outcome;
        Assert.Equal((ExecutionOutcomeKind.Unwound, 0m, 0m), (outcome.Kind, outcome.HedgedQuantity, outcome.ResidualQuantity));
        Assert.Equal("NO Hike on Polymarket filled 0 of 20; sold back 20 NO Cut on Polymarket at 0.78 (−$0.40); sold back 20 NO Hold on Polymarket at 0.53 (−$0.40); no sets locked.",
            outcome.Summary);
        var sells = _h.Polymarket.Placed.Where(o => o.Side == Side.Sell).ToList();
        Assert.Equal([(_markets[0].No, 20m), (_markets[1].No, 20m)], sells.Select(o => (o.Instrument, o.Quantity)));
        Assert.Equal((1, 1, 1, 0), (_h.Executor.Stats.Unwound, _h.Executor.Stats.Failures, _h.Executor.Stats.Executed, _h.Executor.Stats.Residual));
        Assert.Empty(_h.Journal.Exposures);
        Assert.Equal(0m, _portfolio.HoldingOfEvent(EventKey).SetsHeld);
        Assert.All(_markets, m => Assert.Equal(0m, _portfolio.QuantityOf(m.No)));
    }

    [Fact]
    public void One_set_of_an_event_executes_at_a_time_while_other_events_go_ahead()
    {
        _h.Execute(NoSet());

        Assert.False(_h.Executor.TryExecute(NoSet(id: 2), 20m, out var refusal));
        Assert.Equal($"event {EventKey} is still executing opportunity 1", refusal);
        Assert.True(_h.Executor.TryExecute(NoSet(id: 3, eventKey: "Polymarket:mls-cup"), 20m, out refusal), refusal);
    }

    /// <summary>The 20-set NO set at .80 + .55 + .60 = 1.95 for a payout of 2.</summary>
    private Opportunity NoSet(long id = 1, string eventKey = EventKey)
    {
        const decimal Quantity = 20m;
        var fee = Quantity * ExecutorHarness.FeePerContract;
        decimal[] worst = [0.80m, 0.55m, 0.60m];
        var legs = _markets.Select((m, i) => new OpportunityLeg(m.No, VenueId.Polymarket, Side.Buy, Price.FromDecimal(worst[i]), worst[i], fee,
            Price.FromDecimal(worst[i]), i == 1 ? 30m : 100m, 1, TimeSpan.Zero)).ToArray();
        var net = 2m - worst.Sum() - 3 * ExecutorHarness.FeePerContract;
        return new Opportunity(id, MultiOutcomeArbitrage.StrategyName, null, _h.Time.GetUtcNow(), legs, Quantity, 2m - worst.Sum(), 3 * fee, net, net * Quantity,
            OpportunityDecision.Taken, "test")
        {
            PayoutPerSet = 2m,
            EventKey = eventKey,
        };
    }
}
