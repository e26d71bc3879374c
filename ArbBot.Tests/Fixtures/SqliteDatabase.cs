using ArbBot.Engine.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArbBot.Tests.Fixtures;

/// <summary>A real SQLite database file in a temporary folder, migrated to the newest schema unless told otherwise.</summary>
public sealed class SqliteDatabase : IDisposable, IDbContextFactory<ArbBotDbContext>
{
    private readonly string _folder = Directory.CreateTempSubdirectory("arbbot-db-").FullName;

    public SqliteDatabase()
    {
        Path = System.IO.Path.Combine(_folder, "arbbot.db");
        Options = new DbContextOptionsBuilder<ArbBotDbContext>()
            .UseSqlite(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ConnectionString)
            .Options;
    }

    public string Path { get; }

    public DbContextOptions<ArbBotDbContext> Options { get; }

    public ArbBotDbContext CreateDbContext() => new(Options);

    public static async Task<SqliteDatabase> MigratedAsync(IReadOnlyList<SchemaMigration>? migrations = null)
    {
        var database = new SqliteDatabase();
        await using var db = database.CreateDbContext();
        await new SchemaMigrator(TimeProvider.System, NullLogger<SchemaMigrator>.Instance)
            .MigrateAsync(db, migrations ?? SchemaMigrator.Migrations, CancellationToken.None);
        return database;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
