using System.Globalization;
using ArbBot.Engine.Control;
using ArbBot.Engine.Core;
using ArbBot.Engine.Desk;
using ArbBot.Engine.Hosting;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Matching;
using ArbBot.Engine.Recording;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ArbBot.Benchmarks;

/// <summary>
/// The real web app (ArbBot.Web, in this process, Kestrel on loopback, a temporary SQLite database, its simulated venues
/// running) with a recording's catalog joined to it: the recording's 1,000 markets are registered in the app's registry,
/// its 500 pairs approved and its multi-outcome events watched, on the hub's thread, as discovery does. Used by the
/// <c>fanout</c> and <c>soak</c> commands, which feed the recording's events into the app's own hub.
/// </summary>
internal sealed class BenchApp : IAsyncDisposable
{
    public const string ReadKey = "fanout-read-key-0123456789abcdef";
    public const string AdminUser = "bench-admin";
    public const string AdminPassword = "bench-admin-password-0123";
    private const string AdminKey = "fanout-admin-key-0123456789abcdef";

    private readonly AppFactory _app;
    private readonly string _data;

    private BenchApp(AppFactory app, string data, Uri baseUrl, InstrumentId[] instrumentMap, BookEvent[] events, int pairs)
    {
        _app = app;
        _data = data;
        BaseUrl = baseUrl;
        InstrumentMap = instrumentMap;
        Events = events;
        Pairs = pairs;
    }

    public IServiceProvider Services => _app.Services;

    public Uri BaseUrl { get; }

    public MarketDataHub Hub => Services.GetRequiredService<MarketDataHub>();

    public TradingDesk Desk => Services.GetRequiredService<TradingDesk>();

    /// <summary>The app's instrument id for each of the recording's (indexed by the recording's id).</summary>
    public InstrumentId[] InstrumentMap { get; }

    /// <summary>The first events decoded (as many as asked for), already carrying the app's instrument ids.</summary>
    public BookEvent[] Events { get; }

    public int Pairs { get; }

    /// <summary>The app's SQLite database file.</summary>
    public string DatabasePath => Path.Combine(_data, "arbbot.db");

    /// <summary>Starts the app, widens its risk limits so edges keep trading, and joins the recording's catalog.</summary>
    public static async Task<BenchApp> StartAsync(string recording, long eventsToDecode, string actor)
    {
        var data = Directory.CreateTempSubdirectory("arbbot-bench-app-").FullName;
        var app = new AppFactory(new Dictionary<string, string?>
        {
            ["ArbBot:Storage:SqlitePath"] = Path.Combine(data, "arbbot.db"),
            ["ArbBot:Auth:AdminUser"] = AdminUser,
            ["ArbBot:Auth:AdminPassword"] = AdminPassword,
            ["ArbBot:Api:ReadKey"] = ReadKey,
            ["ArbBot:Api:AdminKey"] = AdminKey,
            ["ArbBot:Portfolio:StartingBalances:Kalshi"] = "100000000",
            ["ArbBot:Portfolio:StartingBalances:Polymarket"] = "100000000",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        app.UseKestrel(0);
        app.StartServer();
        var services = app.Services;
        var address = services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var baseUrl = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/'));
        await services.GetRequiredService<EngineHost>().Ready;
        var hub = services.GetRequiredService<MarketDataHub>();
        var limits = await services.GetRequiredService<DeskCommands>().SetLimitsAsync(actor, LatencyLoad.WideLimits, CancellationToken.None);
        if (!limits.Succeeded) throw new InvalidOperationException("The app refused the benchmark's risk limits.");

        var load = new LoadRecording(recording, eventsToDecode, services.GetRequiredService<TradingDesk>(), actor);
        await hub.PostAsync(load, CancellationToken.None);
        await load.Done.Task;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"app on {baseUrl}: {hub.Registry.Count:N0} instruments, {load.Pairs:N0} recording pairs approved; {load.Events!.Length:N0} events decoded"));
        return new BenchApp(app, data, baseUrl, load.Map!, load.Events!, load.Pairs);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    // Any type of ArbBot.Web names its entry point (this project has its own Program).
    private sealed class AppFactory(Dictionary<string, string?> settings) : WebApplicationFactory<ArbBot.Web.Hubs.DeskHub>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(settings));
            // The app logs every unhedged paper trade of the load at warning level; the figures are what matter here.
            builder.ConfigureLogging(logging => logging.ClearProviders().SetMinimumLevel(LogLevel.Error));
        }
    }

    /// <summary>Registers a recording's catalog in the hub's registry, approves its pairs and decodes its first events (hub thread).</summary>
    private sealed class LoadRecording(string path, long count, TradingDesk desk, string actor) : IHubWork
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public BookEvent[]? Events { get; private set; }
        public InstrumentId[]? Map { get; private set; }
        public int Pairs { get; private set; }

        public void Execute(MarketDataHub hub)
        {
            try
            {
                // Read into a registry of its own (the recording's ids), then registered in the app's under new ids.
                var own = new InstrumentRegistry();
                var reader = RecordingReader.Open(path, own);
                var events = LatencyLoad.Decode(reader, count);
                foreach (var venueEvent in own.Events) hub.Registry.AddEvent(venueEvent);
                var map = new InstrumentId[own.Count];
                foreach (var market in own.Markets)
                {
                    var registered = hub.Registry.AddMarket(market with { Yes = default, No = default }, own[market.Yes].Symbol, own[market.No].Symbol);
                    map[market.Yes.Value] = registered.Yes;
                    map[market.No.Value] = registered.No;
                }
                for (var i = 0; i < events.Length; i++) events[i] = events[i] with { Instrument = map[events[i].Instrument.Value] };
                Events = events;
                Map = map;
                var now = hub.Time.GetUtcNow();
                // Pair ids clear of any the app's own store hands out.
                foreach (var pair in reader.Catalog.Pairs)
                {
                    desk.Engine.SetPair(new MarketPair(1_000_000 + pair.Id, pair.KalshiMarketKey, pair.PolymarketMarketKey, pair.Mapping, PairStatus.Approved, 100,
                        ["recorded"], [], now, now, actor));
                    Pairs++;
                }
                desk.Engine.WatchMultiOutcomeEvents();
                Done.SetResult();
            }
            catch (Exception ex)
            {
                Done.SetException(ex);
            }
        }
    }
}
