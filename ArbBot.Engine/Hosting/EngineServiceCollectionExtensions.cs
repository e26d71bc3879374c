using ArbBot.Engine.Core;
using ArbBot.Engine.Execution;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Persistence;
using ArbBot.Engine.Venues;
using ArbBot.Engine.Venues.Simulated;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ArbBot.Engine.Hosting;

public static class EngineServiceCollectionExtensions
{
    /// <summary>
    /// The trading engine as hosted services: options (validated at start-up), the instrument registry, the market-data
    /// hub and its stale-book monitor, the configured venues with their order gateways, the dashboard's quote board, and
    /// the database.
    /// </summary>
    public static IServiceCollection AddArbBotEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);

        services.BindSection<ArbBotOptions>(configuration, ArbBotOptions.Section);
        services.BindSection<StorageOptions>(configuration, StorageOptions.Section);
        services.AddOptions<VenuesOptions>().Configure(o => VenuesConfiguration.Bind(configuration, o)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<VenuesOptions>, VenuesOptionsValidator>();
        services.BindSection<MarketDataOptions>(configuration, MarketDataOptions.SectionName);
        services.BindSection<SimulatorOptions>(configuration, SimulatorOptions.SectionName);
        services.BindSection<PaperExecutionOptions>(configuration, "ArbBot:Paper");

        services.AddSingleton<InstrumentRegistry>();
        services.AddSingleton<SimulatedWorld>();
        services.AddSingleton(sp => new MarketDataHub(
            sp.GetRequiredService<InstrumentRegistry>(), sp.GetRequiredService<TimeProvider>(), logger: sp.GetRequiredService<ILogger<MarketDataHub>>()));
        services.AddSingleton<IExecutionListener, ExecutionLog>();
        services.AddSingleton(CreateVenues);
        services.AddSingleton<IEnumerable<IVenue>>(sp => sp.GetRequiredService<VenueSet>().Venues);

        services.AddArbBotPersistence();
        services.AddHostedService<EngineHost>();
        services.AddHostedService<StaleBookMonitor>();
        services.AddSingleton<QuoteBoard>();
        services.AddHostedService(sp => sp.GetRequiredService<QuoteBoard>());
        return services;
    }

    private static VenueSet CreateVenues(IServiceProvider sp)
    {
        var venueOptions = sp.GetRequiredService<IOptions<VenuesOptions>>().Value;
        var registry = sp.GetRequiredService<InstrumentRegistry>();
        var hub = sp.GetRequiredService<MarketDataHub>();
        var time = sp.GetRequiredService<TimeProvider>();
        var paper = sp.GetRequiredService<IOptions<PaperExecutionOptions>>().Value;
        var listener = sp.GetRequiredService<IExecutionListener>();

        // Every simulated venue shares one world, so the same question moves together on both venues.
        var world = sp.GetRequiredService<SimulatedWorld>();
        var venues = venueOptions.Enabled
            .Select(e => (IVenue)new SimulatedVenue(e.Venue, world, TickSize.FromDecimal(e.Options.TickSize)))
            .ToList();
        var gateways = venues.ToDictionary(
            v => v.Id,
            v => (IOrderGateway)new PaperOrderGateway(v.Id, hub, registry, v.FeeModel, time, paper, listener));
        return new VenueSet(venues, gateways);
    }
}
