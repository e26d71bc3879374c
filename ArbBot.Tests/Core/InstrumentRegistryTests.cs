using ArbBot.Engine.Core;

namespace ArbBot.Tests.Core;

public sealed class InstrumentRegistryTests
{
    [Fact]
    public void AddMarket_assigns_dense_ids_yes_then_no()
    {
        var registry = new InstrumentRegistry();

        var first = registry.AddMarket(NewMarket("A"), "A:yes", "A:no");
        var second = registry.AddMarket(NewMarket("B"), "B:yes", "B:no");

        Assert.Equal((0, 1), (first.Yes.Value, first.No.Value));
        Assert.Equal((2, 3), (second.Yes.Value, second.No.Value));
        Assert.Equal(4, registry.Count);
        Assert.Equal([0, 1, 2, 3], registry.Instruments.Select(i => i.Id.Value));
        Assert.True(registry[first.Yes].IsYes);
        Assert.False(registry[first.No].IsYes);
        Assert.Equal("B:no", registry[second.No].Symbol);
    }

    [Fact]
    public void Ids_stay_dense_past_the_initial_capacity()
    {
        var registry = new InstrumentRegistry();

        for (var i = 0; i < 300; i++) registry.AddMarket(NewMarket($"M{i}"), $"M{i}:yes", $"M{i}:no");

        Assert.Equal(600, registry.Count);
        Assert.Equal(Enumerable.Range(0, 600), registry.Instruments.Select(i => i.Id.Value));
        Assert.Equal("M299", registry.MarketOf(new InstrumentId(599)).MarketKey);
        Assert.Equal("M299:no", registry[new InstrumentId(599)].Symbol);
    }

    [Fact]
    public void Re_adding_a_market_keeps_its_ids_and_takes_the_new_fields()
    {
        var registry = new InstrumentRegistry();
        var original = registry.AddMarket(NewMarket("A"), "A:yes", "A:no");

        var changed = NewMarket("A") with
        {
            Title = "Renamed",
            EventKey = "E2",
            OutcomeLabel = "Other",
            TickSize = TickSize.DeciCent,
            MinOrderSize = 5m,
        };
        var again = registry.AddMarket(changed, "A:yes", "A:no");

        Assert.Equal(original.Yes, again.Yes);
        Assert.Equal(original.No, again.No);
        Assert.Equal(2, registry.Count);
        Assert.Equal(changed with { Yes = original.Yes, No = original.No }, again);
        Assert.Equal(again, registry.MarketOf(original.No));
        Assert.True(registry.TryGetMarket(VenueId.Kalshi, "A", out var stored));
        Assert.Equal(again, stored);
        // The tokens trade on the market's grid, so they must follow a tick change too.
        Assert.Equal(TickSize.DeciCent, registry[original.Yes].TickSize);
        Assert.True(registry.TryGet(VenueId.Kalshi, "A:no", out var no));
        Assert.Equal(TickSize.DeciCent, no.TickSize);
    }

    [Fact]
    public void MarketOf_finds_the_market_of_either_token_and_refuses_unknown_ids()
    {
        var registry = new InstrumentRegistry();
        var market = registry.AddMarket(NewMarket("A"), "A:yes", "A:no");

        Assert.Equal(market, registry.MarketOf(market.Yes));
        Assert.Equal(market, registry.MarketOf(market.No));
        Assert.Throws<KeyNotFoundException>(() => registry.MarketOf(new InstrumentId(2)));
        Assert.Throws<KeyNotFoundException>(() => registry.MarketOf(new InstrumentId(-1)));
        Assert.Throws<KeyNotFoundException>(() => registry[new InstrumentId(2)]);
    }

    [Fact]
    public void TryGet_finds_instruments_by_venue_and_symbol()
    {
        var registry = new InstrumentRegistry();
        var market = registry.AddMarket(NewMarket("A"), "A:yes", "A:no");

        Assert.True(registry.TryGet(VenueId.Kalshi, "A:yes", out var yes));
        Assert.Equal(market.Yes, yes.Id);
        Assert.Equal("A", yes.MarketKey);
        Assert.False(registry.TryGet(VenueId.Polymarket, "A:yes", out _));
        Assert.False(registry.TryGet(VenueId.Kalshi, "B:yes", out _));
    }

    [Fact]
    public void InstrumentsAdded_is_raised_once_per_new_market_with_both_tokens()
    {
        var registry = new InstrumentRegistry();
        var raised = new List<IReadOnlyList<Instrument>>();
        registry.InstrumentsAdded += added => raised.Add(added);

        var a = registry.AddMarket(NewMarket("A"), "A:yes", "A:no");
        registry.AddMarket(NewMarket("A") with { Title = "again" }, "A:yes", "A:no");
        var b = registry.AddMarket(NewMarket("B"), "B:yes", "B:no");

        Assert.Equal(2, raised.Count);
        Assert.Equal([a.Yes, a.No], raised[0].Select(i => i.Id));
        Assert.Equal([b.Yes, b.No], raised[1].Select(i => i.Id));
    }

    [Fact]
    public void The_same_market_key_on_two_venues_is_two_markets()
    {
        var registry = new InstrumentRegistry();

        var kalshi = registry.AddMarket(NewMarket("X"), "X:yes", "X:no");
        var poly = registry.AddMarket(NewMarket("X") with { Venue = VenueId.Polymarket }, "X:yes", "X:no");

        Assert.NotEqual(kalshi.Yes, poly.Yes);
        Assert.Equal(VenueId.Polymarket, registry[poly.Yes].Venue);
        Assert.Equal(VenueId.Kalshi, registry[kalshi.Yes].Venue);
    }

    private static Market NewMarket(string key) => new(
        VenueId.Kalshi,
        key,
        EventKey: "E1",
        Title: $"Market {key}",
        Rules: "Resolves YES if it happens.",
        SettlementSource: "Someone",
        CloseTime: new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero),
        TickSize.Cent,
        MinOrderSize: 1m,
        OutcomeLabel: "Yes",
        FeeParameters.None);
}
