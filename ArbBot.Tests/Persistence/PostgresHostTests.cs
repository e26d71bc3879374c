using System.Net;
using ArbBot.Engine.Hosting;
using ArbBot.Engine.Persistence;
using ArbBot.Tests.Fixtures;
using ArbBot.Tests.Web;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ArbBot.Tests.Persistence;

[Collection(PostgresCollection.Name)]
public sealed class PostgresHostTests(PostgresServer server)
{
    [Fact]
    public async Task The_desk_runs_on_postgresql_given_a_connection_string()
    {
        await using var app = new DeskAppFactory(new Dictionary<string, string?>
        {
            ["ArbBot:Storage:PostgresConnectionString"] = server.CreateDatabase(),
        });
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        await app.Services.GetRequiredService<EngineHost>().Ready;

        var signIn = await AuthTests.SignInAsync(client, DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);

        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ArbBotDbContext>>().CreateDbContextAsync();
        Assert.Contains("Npgsql", db.Database.ProviderName, StringComparison.Ordinal);
        Assert.Equal(DeskAppFactory.AdminUser, (await db.Users.SingleAsync()).UserName);
        Assert.True(await db.Pairs.CountAsync() > 0, "suggested pairs are stored in PostgreSQL");
        Assert.False(File.Exists(app.DatabasePath), "no SQLite file is made when PostgreSQL is configured");
    }
}
