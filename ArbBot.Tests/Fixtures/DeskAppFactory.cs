using ArbBot.Engine.Execution;
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
        });
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        var host = base.CreateHost(builder);
        host.Services.GetRequiredService<HubExecutionListener>().Attach(Executions);
        return host;
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
