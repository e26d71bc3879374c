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

        services.AddOptions<ArbBotOptions>().Bind(configuration.GetSection(ArbBotOptions.Section)).ValidateOnStart();
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<VenuesOptions>().Configure(o => VenuesConfiguration.Bind(configuration, o)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<VenuesOptions>, VenuesOptionsValidator>();
        services.AddOptions<MarketDataOptions>().Bind(configuration.GetSection(MarketDataOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SimulatorOptions>().Bind(configuration.GetSection(SimulatorOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<PaperExecutionOptions>().Bind(configuration.GetSection("ArbBot:Paper")).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton<InstrumentRegistry>();
        services.AddSingleton(sp => new MarketDataHub(sp.GetRequiredService<InstrumentRegistry>(), sp.GetRequiredService<TimeProvider>()));
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

        var enabled = venueOptions.Enabled.ToList();
        var venues = SimulatedVenues.Create(
            enabled.Select(e => (e.Venue, TickSize.FromDecimal(e.Options.TickSize))).ToList(),
            sp.GetRequiredService<IOptions<SimulatorOptions>>().Value,
            time,
            sp.GetRequiredService<ILoggerFactory>());
        var gateways = venues.ToDictionary(
            v => v.Id,
            v => (IOrderGateway)new PaperOrderGateway(v.Id, hub, registry, v.FeeModel, time, paper, listener));
        return new VenueSet(venues, gateways);
    }
}
