using ArbBot.Engine.Hosting;
using ArbBot.Engine.Persistence;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace ArbBot.Web.Auth;

/// <summary>
/// Makes sure someone can sign in. A configured admin (ArbBot:Auth:AdminUser/AdminPassword) is created or updated;
/// on a first run with none configured and no users, an 'admin' with a random password is created and the password is
/// printed once to the console (never logged, never stored but as a hash). Once the server listens, it prints where.
/// </summary>
public sealed class AdminBootstrap(
    UserAccounts users,
    IOptions<AuthOptions> options,
    IServer server,
    IHostApplicationLifetime lifetime,
    TextWriter console) : IHostedLifecycleService
{
    public const string DefaultAdmin = "admin";

    private string? _firstRunPassword;

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var auth = options.Value;
        if (!string.IsNullOrWhiteSpace(auth.AdminUser))
        {
            await users.UpsertAsync(auth.AdminUser, auth.AdminPassword!, Roles.Admin, "configuration", cancellationToken);
        }
        else if (!await users.AnyAsync(cancellationToken))
        {
            _firstRunPassword = UserAccounts.GeneratePassword();
            await users.UpsertAsync(DefaultAdmin, _firstRunPassword, Roles.Admin, "first-run", cancellationToken);
        }
        lifetime.ApplicationStarted.Register(PrintWelcome);
    }

    private void PrintWelcome()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var url = addresses.FirstOrDefault() ?? "(no address)";
        console.WriteLine($"ArbBot dashboard: {url}");
        if (_firstRunPassword is not null)
        {
            console.WriteLine($"First run: sign in as '{DefaultAdmin}' with password '{_firstRunPassword}'.");
            console.WriteLine("This password is shown once and only its hash is stored. To choose your own, set ArbBot__Auth__AdminUser and ArbBot__Auth__AdminPassword.");
            _firstRunPassword = null;
        }
        console.Flush();
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
