using ArbBot.Engine.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ArbBot.Engine.Persistence;

public static class PersistenceServiceCollectionExtensions
{
    /// <summary>The database: SQLite at ArbBot:Storage:SqlitePath, or PostgreSQL when a connection string is set.</summary>
    public static IServiceCollection AddArbBotPersistence(this IServiceCollection services)
    {
        // Pooled: the record writer opens a context per batch (tens a second under load), and each new context built its
        // own internal services and logging tables, a few percent of everything the app allocated; a pooled one is reset
        // and handed out again.
        services.AddPooledDbContextFactory<ArbBotDbContext>((sp, options) =>
        {
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            if (storage.UsePostgres)
            {
                options.UseNpgsql(storage.PostgresConnectionString);
            }
            else
            {
                var builder = new SqliteConnectionStringBuilder { DataSource = Path.GetFullPath(storage.SqlitePath), DefaultTimeout = 5 };
                options.UseSqlite(builder.ConnectionString);
            }
        });
        services.AddSingleton<SchemaMigrator>();
        services.AddHostedService<DatabaseInitializer>();
        return services;
    }
}
