using ArbBot.Engine.Core;
using ArbBot.Engine.Execution;
using ArbBot.Engine.Venues;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Desk;

public sealed class TradingDeskTests
{
    [Fact]
    public async Task A_fill_too_old_to_tell_from_a_resend_is_reported_as_unhedged_exposure_not_dropped_quietly()
    {
        var harness = await PaperDeskHarness.CreateAsync(seed: 3);
        var portfolio = harness.Desk.Portfolio;
        portfolio.BookedFillIds.Capacity = 1;
        var market = harness.Hub.Registry.Markets.First(m => m.Venue == VenueId.Kalshi);
        var now = harness.Hub.Time.GetUtcNow();
        Fill Buy(string id, TimeSpan ago) => new(id, $"order-{id}", null, VenueId.Kalshi, market.Yes, Side.Buy, Price.FromDecimal(0.40m), 3m, 0m,
            Liquidity.Taker, now - ago);

        Assert.True(portfolio.ApplyFill(Buy("trade-1", TimeSpan.FromMinutes(2))));
        Assert.True(portfolio.ApplyFill(Buy("trade-2", TimeSpan.FromMinutes(1))));
        var exposuresBefore = harness.Journal.Exposures.Count;
        // trade-1 was forgotten to keep the memory bounded; a fill that old now cannot be told from its resend.
        Assert.False(portfolio.ApplyFill(Buy("trade-0", TimeSpan.FromMinutes(3))));

        var exposure = Assert.Single(harness.Journal.Exposures.Skip(exposuresBefore));
        Assert.Equal((null, market.Yes, 3m), (exposure.PairId, exposure.Instrument, exposure.Quantity));
        Assert.Contains("trade-0", exposure.Detail, StringComparison.Ordinal);
        Assert.Contains("was not booked", exposure.Detail, StringComparison.Ordinal);
        // A resend of a remembered fill is normal and stays quiet.
        Assert.False(portfolio.ApplyFill(Buy("trade-2", TimeSpan.FromMinutes(1))));
        Assert.Equal(exposuresBefore + 1, harness.Journal.Exposures.Count);
    }
}
