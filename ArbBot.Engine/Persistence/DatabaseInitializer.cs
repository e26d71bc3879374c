using ArbBot.Engine.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ArbBot.Engine.Persistence;

/// <summary>
/// Creates or upgrades the database before anything else starts (including the web server), and turns an unusable
/// database location into one clear error naming the setting.
/// </summary>
public sealed class DatabaseInitializer(
    IDbContextFactory<ArbBotDbContext> contexts,
    SchemaMigrator migrator,
    IOptions<StorageOptions> storage,
    ILogger<DatabaseInitializer> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var options = storage.Value;
        if (!options.UsePostgres)
        {
            PrepareSqliteFile(options.SqlitePath);
        }
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            if (!options.UsePostgres)
            {
                // WAL lets the dashboard read while the engine's writer commits.
                await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
                await db.Database.CloseConnectionAsync().ConfigureAwait(false);
            }
            var applied = await migrator.MigrateAsync(db, cancellationToken).ConfigureAwait(false);
            // The PostgreSQL connection string can hold a password, so only the SQLite path is shown.
            logger.LogInformation("Database ready ({Provider}{Where}, schema version {Version}, {Applied} step(s) applied)",
                options.UsePostgres ? "PostgreSQL" : "SQLite", options.UsePostgres ? "" : " at " + Path.GetFullPath(options.SqlitePath),
                SchemaMigrator.LatestVersion, applied.Count);
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new StartupConfigurationException(options.UsePostgres
                ? $"ArbBot:Storage:PostgresConnectionString: the database cannot be used: {ex.Message}"
                : $"ArbBot:Storage:SqlitePath '{options.SqlitePath}' cannot be used: {ex.Message}", ex);
        }
        catch (Exception ex) when (options.UsePostgres && ex is System.Net.Sockets.SocketException or Npgsql.NpgsqlException)
        {
            throw new StartupConfigurationException($"ArbBot:Storage:PostgresConnectionString: the database cannot be reached: {ex.Message}", ex);
        }
    }

    private static void PrepareSqliteFile(string path)
    {
        try
        {
            var full = Path.GetFullPath(path);
            if (Directory.Exists(full))
                throw new StartupConfigurationException($"ArbBot:Storage:SqlitePath '{path}' is a directory; name a file such as data/arbbot.db.");
            var dir = Path.GetDirectoryName(full);
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
            // Opening for read/write proves the file is usable before SQLite reports a vaguer error.
            using var probe = new FileStream(full, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new StartupConfigurationException($"ArbBot:Storage:SqlitePath '{path}' cannot be used: {ex.Message}", ex);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
