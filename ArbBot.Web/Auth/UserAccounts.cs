using System.Security.Cryptography;
using ArbBot.Engine.Hosting;
using ArbBot.Engine.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ArbBot.Web.Auth;

public enum SignInOutcome
{
    Success,
    WrongCredentials,
    LockedOut,
}

public sealed record SignInCheck(SignInOutcome Outcome, UserAccount? User, DateTimeOffset? LockedUntil = null);

/// <summary>The dashboard's users: password hashes (ASP.NET Core Identity's PBKDF2 hasher), roles and lockout.</summary>
public sealed class UserAccounts(
    IDbContextFactory<ArbBotDbContext> contexts,
    IOptions<AuthOptions> options,
    TimeProvider time)
{
    private static readonly PasswordHasher<UserAccount> Hasher = new();

    /// <summary>Checks a user name and password, counting failures and locking the account after too many.</summary>
    public async Task<SignInCheck> CheckAsync(string userName, string password, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.SingleOrDefaultAsync(u => u.UserName == userName, cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        if (user is null)
        {
            // Spend the same effort as a real check so timing does not reveal which names exist.
            Hasher.VerifyHashedPassword(new UserAccount { UserName = "", PasswordHash = "", Role = "" }, DummyHash, password);
            return new SignInCheck(SignInOutcome.WrongCredentials, null);
        }
        if (user.LockedUntilUtc is { } until && until > now)
        {
            return new SignInCheck(SignInOutcome.LockedOut, null, new DateTimeOffset(until, TimeSpan.Zero));
        }
        var result = Hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (result == PasswordVerificationResult.Failed)
        {
            user.FailedLogins++;
            if (user.FailedLogins >= options.Value.MaxFailedLogins)
            {
                user.LockedUntilUtc = now + options.Value.Lockout;
                user.FailedLogins = 0;
                db.Audit.Add(Audit(now, "system", "user.locked", user.UserName, null, $"until {user.LockedUntilUtc:O}"));
            }
            await db.SaveChangesAsync(cancellationToken);
            return user.LockedUntilUtc is { } lockedNow && lockedNow > now
                ? new SignInCheck(SignInOutcome.LockedOut, null, new DateTimeOffset(lockedNow, TimeSpan.Zero))
                : new SignInCheck(SignInOutcome.WrongCredentials, null);
        }
        if (result == PasswordVerificationResult.SuccessRehashNeeded) user.PasswordHash = Hasher.HashPassword(user, password);
        user.FailedLogins = 0;
        user.LockedUntilUtc = null;
        await db.SaveChangesAsync(cancellationToken);
        return new SignInCheck(SignInOutcome.Success, user);
    }

    public async Task<bool> AnyAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Users.AnyAsync(cancellationToken);
    }

    /// <summary>Creates a user, or sets the password and role of an existing one; audited.</summary>
    public async Task UpsertAsync(string userName, string password, string role, string actor, CancellationToken cancellationToken)
    {
        if (!Roles.IsKnown(role)) throw new ArgumentException($"Unknown role '{role}'.", nameof(role));
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var user = await db.Users.SingleOrDefaultAsync(u => u.UserName == userName, cancellationToken);
        if (user is null)
        {
            user = new UserAccount { UserName = userName, PasswordHash = "", Role = role, CreatedUtc = now };
            user.PasswordHash = Hasher.HashPassword(user, password);
            db.Users.Add(user);
            db.Audit.Add(Audit(now, actor, "user.created", userName, null, $"role {role}"));
        }
        else
        {
            var passwordChanged = Hasher.VerifyHashedPassword(user, user.PasswordHash, password) == PasswordVerificationResult.Failed;
            if (!passwordChanged && user.Role == role) return;
            var oldRole = user.Role;
            if (passwordChanged) user.PasswordHash = Hasher.HashPassword(user, password);
            user.Role = role;
            user.FailedLogins = 0;
            user.LockedUntilUtc = null;
            // The audit records that the password changed, never the password or its hash.
            db.Audit.Add(Audit(now, actor, passwordChanged ? "user.password-reset" : "user.role-changed", userName, $"role {oldRole}", $"role {role}"));
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>A random password of 20 characters from an unambiguous alphabet (~115 bits).</summary>
    public static string GeneratePassword()
    {
        const string alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return RandomNumberGenerator.GetString(alphabet, 20);
    }

    private static AuditEntry Audit(DateTime at, string actor, string action, string target, string? oldValue, string? newValue) =>
        new() { AtUtc = at, Actor = actor, Action = action, Target = target, OldValue = oldValue, NewValue = newValue };

    private static readonly string DummyHash = Hasher.HashPassword(new UserAccount { UserName = "", PasswordHash = "", Role = "" }, "not-a-real-password");
}
