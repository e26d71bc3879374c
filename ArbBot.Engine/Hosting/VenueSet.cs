using ArbBot.Engine.Core;
using ArbBot.Engine.Execution;
using ArbBot.Engine.Venues;

namespace ArbBot.Engine.Hosting;

/// <summary>The venues this desk runs with, each with the gateway its orders go through.</summary>
public sealed class VenueSet(IReadOnlyList<IVenue> venues, IReadOnlyDictionary<VenueId, IOrderGateway> gateways)
{
    public IReadOnlyList<IVenue> Venues { get; } = venues;

    public IReadOnlyDictionary<VenueId, IOrderGateway> Gateways { get; } = gateways;
}
