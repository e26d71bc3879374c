using ArbBot.Engine.Persistence;
using ArbBot.Tests.Fixtures;
using ArbBot.Web.Auth;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ArbBot.Tests.Web.Auth;

/// <summary>The users page's commands against the real SQLite store.</summary>
public sealed class UserAccountsTests : IAsyncLifetime
{
    private readonly DeskAppFactory _app = new(new Dictionary<string, string?> { ["ArbBot:Auth:MaxFailedLogins"] = "2" });
    private UserAccounts _accounts = null!;

    public Task InitializeAsync()
    {
        _app.CreateClient();
        _accounts = _app.Services.GetRequiredService<UserAccounts>();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task An_added_user_signs_in_with_the_role_given_and_the_audit_never_holds_the_password()
    {
        var added = await _accounts.CreateAsync("carol", "carols-long-password", Roles.Viewer, "desk-admin", CancellationToken.None);

        Assert.True(added.Succeeded);
        var check = await _accounts.CheckAsync("carol", "carols-long-password", CancellationToken.None);
        Assert.Equal((SignInOutcome.Success, Roles.Viewer), (check.Outcome, check.User!.Role));
        var listed = Assert.Single(await _accounts.ListAsync(CancellationToken.None), u => u.UserName == "carol");
        Assert.Equal((Roles.Viewer, (DateTimeOffset?)null), (listed.Role, listed.LockedUntil));
        var audit = await AuditOf("carol");
        Assert.Equal(("desk-admin", "user.created"), (audit[0].Actor, audit[0].Action));
        Assert.All(audit, a => Assert.DoesNotContain("carols-long-password", $"{a.OldValue} {a.NewValue}", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", "long-enough-password", "Viewer", "userName")]
    [InlineData("bad name!", "long-enough-password", "Viewer", "userName")]
    [InlineData("dave", "short", "Viewer", "password")]
    [InlineData("dave", "long-enough-password", "Owner", "role")]
    [InlineData(DeskAppFactory.AdminUser, "long-enough-password", "Viewer", "userName")]
    public async Task Bad_input_is_refused_naming_the_field_and_adds_nobody(string name, string password, string role, string field)
    {
        var before = (await _accounts.ListAsync(CancellationToken.None)).Count;

        var refused = await _accounts.CreateAsync(name, password, role, "desk-admin", CancellationToken.None);

        Assert.False(refused.Succeeded);
        Assert.Equal([field], refused.Errors.Select(e => e.Field));
        Assert.Equal(before, (await _accounts.ListAsync(CancellationToken.None)).Count);
    }

    [Fact]
    public async Task A_reset_password_replaces_the_old_one_at_once()
    {
        await _accounts.CreateAsync("erin", "erins-first-password", Roles.Viewer, "desk-admin", CancellationToken.None);

        Assert.False((await _accounts.ResetPasswordAsync("erin", "too-short", "desk-admin", CancellationToken.None)).Succeeded);
        Assert.True((await _accounts.ResetPasswordAsync("erin", "erins-second-password", "desk-admin", CancellationToken.None)).Succeeded);

        Assert.Equal(SignInOutcome.WrongCredentials, (await _accounts.CheckAsync("erin", "erins-first-password", CancellationToken.None)).Outcome);
        Assert.Equal(SignInOutcome.Success, (await _accounts.CheckAsync("erin", "erins-second-password", CancellationToken.None)).Outcome);
        var reset = Assert.Single(await AuditOf("erin"), a => a.Action == "user.password-reset");
        Assert.DoesNotContain("erins-second-password", $"{reset.OldValue} {reset.NewValue}", StringComparison.Ordinal);
        Assert.False((await _accounts.ResetPasswordAsync("nobody", "a-long-enough-password", "desk-admin", CancellationToken.None)).Succeeded);
    }

    [Fact]
    public async Task A_locked_user_is_listed_as_locked_and_may_sign_in_again_once_unlocked()
    {
        await _accounts.CreateAsync("frank", "franks-long-password", Roles.Viewer, "desk-admin", CancellationToken.None);
        await _accounts.CheckAsync("frank", "wrong", CancellationToken.None);
        await _accounts.CheckAsync("frank", "wrong", CancellationToken.None);
        Assert.Equal(SignInOutcome.LockedOut, (await _accounts.CheckAsync("frank", "franks-long-password", CancellationToken.None)).Outcome);
        Assert.NotNull(Assert.Single(await _accounts.ListAsync(CancellationToken.None), u => u.UserName == "frank").LockedUntil);

        Assert.True((await _accounts.UnlockAsync("frank", "desk-admin", CancellationToken.None)).Succeeded);

        Assert.Null(Assert.Single(await _accounts.ListAsync(CancellationToken.None), u => u.UserName == "frank").LockedUntil);
        Assert.Equal(SignInOutcome.Success, (await _accounts.CheckAsync("frank", "franks-long-password", CancellationToken.None)).Outcome);
        Assert.Contains(await AuditOf("frank"), a => a.Action == "user.unlocked" && a.Actor == "desk-admin" && a.OldValue!.StartsWith("locked until", StringComparison.Ordinal));
    }

    private async Task<List<AuditEntry>> AuditOf(string user)
    {
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<ArbBotDbContext>>().CreateDbContextAsync();
        return await db.Audit.Where(a => a.Target == user).OrderBy(a => a.Id).ToListAsync();
    }
}
