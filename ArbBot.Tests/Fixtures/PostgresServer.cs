using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ArbBot.Engine.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ArbBot.Tests.Fixtures;

/// <summary>
/// A real PostgreSQL server on loopback for the test run: a fresh cluster in a temporary folder on a free port, started
/// once and stopped at the end. PostgreSQL will not run as root, so as root the server runs as the "postgres" user that
/// Debian's package creates. Each test takes its own database.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private readonly string _dataDirectory;
    private readonly string _binDirectory;
    private readonly bool _asRoot;
    private int _databases;

    public PostgresServer()
    {
        _binDirectory = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault() ?? ""
            : "";
        if (_binDirectory.Length == 0)
        {
            throw new InvalidOperationException("PostgreSQL tests need the server binaries (/usr/lib/postgresql/*/bin); scripts/test.sh installs postgresql with apt-get.");
        }
        _asRoot = Environment.UserName == "root";
        _dataDirectory = Path.Combine(Path.GetTempPath(), $"arbbot-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_dataDirectory);
        if (_asRoot) Run("chown", "postgres:postgres", _dataDirectory);
        Port = FreePort();
        Run(Path.Combine(_binDirectory, "initdb"), "-D", _dataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync");
        Run(Path.Combine(_binDirectory, "pg_ctl"), "-D", _dataDirectory, "-l", Path.Combine(_dataDirectory, "server.log"), "-w", "-t", "60",
            "-o", $"-p {Port} -k {_dataDirectory} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off", "start");
    }

    public int Port { get; }

    /// <summary>A new, empty database and the connection string to reach it.</summary>
    public string CreateDatabase()
    {
        var name = $"arbbot_test_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid().ToString("N")[..8]}";
        using (var connection = new NpgsqlConnection(ConnectionString("postgres")))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            command.ExecuteNonQuery();
        }
        return ConnectionString(name);
    }

    /// <summary>A new database with the desk's schema, and contexts on it.</summary>
    public async Task<IDbContextFactory<ArbBotDbContext>> MigratedDatabaseAsync()
    {
        var contexts = new Contexts(new DbContextOptionsBuilder<ArbBotDbContext>().UseNpgsql(CreateDatabase()).Options);
        await using var db = contexts.CreateDbContext();
        await new SchemaMigrator(TimeProvider.System, NullLogger<SchemaMigrator>.Instance).MigrateAsync(db, CancellationToken.None);
        return contexts;
    }

    private sealed class Contexts(DbContextOptions<ArbBotDbContext> options) : IDbContextFactory<ArbBotDbContext>
    {
        public ArbBotDbContext CreateDbContext() => new(options);
    }

    private string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Timezone=UTC;Pooling=false";

    public void Dispose()
    {
        try
        {
            Run(Path.Combine(_binDirectory, "pg_ctl"), "-D", _dataDirectory, "-m", "immediate", "-w", "stop");
        }
        finally
        {
            try
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private void Run(string file, params string[] args)
    {
        var start = _asRoot && file.StartsWith(_binDirectory, StringComparison.Ordinal)
            ? new ProcessStartInfo("runuser") { ArgumentList = { "-u", "postgres", "--", file } }
            : new ProcessStartInfo(file);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{Path.GetFileName(file)} did not finish in 90 s.");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} failed ({process.ExitCode}): {error.Result}{output.Result}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL server";
}
