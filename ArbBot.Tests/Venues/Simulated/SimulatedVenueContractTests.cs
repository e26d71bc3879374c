using ArbBot.Engine.Core;
using ArbBot.Engine.Venues.Simulated;

namespace ArbBot.Tests.Venues.Simulated;

/// <summary>The venue contract for the built-in simulator (both venues it imitates share one world).</summary>
public sealed class SimulatedKalshiVenueContractTests : VenueContractTests
{
    protected override Task<VenueHarness> StartVenueAsync() => SimulatedHarness.StartAsync(VenueId.Kalshi);
}

public sealed class SimulatedPolymarketVenueContractTests : VenueContractTests
{
    protected override Task<VenueHarness> StartVenueAsync() => SimulatedHarness.StartAsync(VenueId.Polymarket);
}

internal sealed class SimulatedHarness(SimulatedVenue venue) : VenueHarness(venue, TimeProvider.System)
{
    public static Task<VenueHarness> StartAsync(VenueId id)
    {
        var world = new SimulatedWorld(new SimulatorOptions { Seed = 5, StepInterval = TimeSpan.FromMilliseconds(50) }, TimeProvider.System);
        return Task.FromResult<VenueHarness>(new SimulatedHarness(new SimulatedVenue(id, world, TickSize.Cent)));
    }
}
