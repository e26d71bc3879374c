using ArbBot.Engine.Execution;
using ArbBot.Engine.Lifecycle;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace ArbBot.Tests.Fixtures;

/// <summary>
/// The whole desk (engine on simulated venues, dashboard, SQLite in a fresh temporary folder) hosted in the test
/// process. Settings can be added per test; the console the operator would see is captured.
/// </summary>
public class DeskAppFactory : WebApplicationFactory<Program>
{
    public const string AdminUser = "desk-admin";
    public const string AdminPassword = "correct-horse-battery-staple";

    private readonly Dictionary<string, string?> _settings;

    private readonly bool _ownsDataDirectory;

    /// <param name="settings">Configuration to add on top of the test defaults.</param>
    /// <param name="configureAdmin">False to start as a first run does, with no admin configured.</param>
    /// <param name="dataDirectory">An existing data folder to reuse (kept on dispose); by default a new temporary one.</param>
    public DeskAppFactory(IDictionary<string, string?>? settings = null, bool configureAdmin = true, string? dataDirectory = null)
    {
        _ownsDataDirectory = dataDirectory is null;
        DataDirectory = dataDirectory ?? Directory.CreateTempSubdirectory("arbbot-test-").FullName;
        _settings = new Dictionary<string, string?>
        {
            ["ArbBot:Storage:SqlitePath"] = DatabasePath,
            ["ArbBot:Simulator:StepInterval"] = "00:00:00.050",
        };
        if (configureAdmin)
        {
            _settings["ArbBot:Auth:AdminUser"] = AdminUser;
            _settings["ArbBot:Auth:AdminPassword"] = AdminPassword;
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) _settings[key] = value;
    }

    public string DataDirectory { get; }

    public string DatabasePath => Path.Combine(DataDirectory, "arbbot.db");

    /// <summary>Every order update and fill the engine's gateways reported.</summary>
    public RecordingExecutionListener Executions { get; } = new();

    /// <summary>What the app printed to its console (the first-run password, the URL).</summary>
    public StringWriter ConsoleOutput { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(_settings));
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<TextWriter>();
            services.AddSingleton<TextWriter>(TextWriter.Synchronized(ConsoleOutput));
            // First of all hosted services, so the recorder hears the very first order: on a loaded machine the desk can
            // trade before the host has finished starting.
            services.Insert(0, ServiceDescriptor.Singleton<IHostedService>(sp => new ExecutionsAttacher(sp.GetRequiredService<HubExecutionListener>(), Executions)));
        });
    }

    /// <summary>
    /// Waits until the desk has reconciled with every venue and runs. Until then start-up reconciliation cancels any open
    /// order it has no record of — as it must — so a test placing orders straight on a gateway waits for this first.
    /// </summary>
    public async Task WaitUntilRunningAsync()
    {
        var lifecycle = Services.GetRequiredService<DeskLifecycle>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (lifecycle.State.Phase != DeskPhase.Running)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The desk did not start running within 60 s: {lifecycle.State.Description}");
            await Task.Delay(50);
        }
    }

    private sealed class ExecutionsAttacher(HubExecutionListener listener, RecordingExecutionListener executions) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            listener.Attach(executions);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && _ownsDataDirectory)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // SQLite may still hold the file for a moment; the OS cleans temp folders.
            }
        }
    }
}
