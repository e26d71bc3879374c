using System.Security.Cryptography;
using ArbBot.Engine.Control;
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

/// <summary>A user as the users page shows it: never the password hash.</summary>
/// <param name="LockedUntil">When sign-in is refused until (after too many failed attempts), or null when not locked.</param>
public sealed record UserSummary(string UserName, string Role, DateTimeOffset Created, int FailedLogins, DateTimeOffset? LockedUntil);

/// <summary>The dashboard's users: password hashes (ASP.NET Core Identity's PBKDF2 hasher), roles and lockout.</summary>
public sealed partial class UserAccounts(
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

    /// <summary>The shortest password an admin may give a user.</summary>
    public const int MinimumPasswordLength = 12;

    /// <summary>Every user with role and lockout state (never a password hash), by name.</summary>
    public async Task<IReadOnlyList<UserSummary>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var users = await db.Users.AsNoTracking().OrderBy(u => u.UserName).ToListAsync(cancellationToken);
        return [.. users.Select(u => Summary(u, now))];
    }

    /// <summary>Adds a user (an admin's command): a new name, a known role and a long enough password; audited, never the password.</summary>
    public async Task<CommandResult<UserSummary>> CreateAsync(string userName, string password, string role, string actor, CancellationToken cancellationToken)
    {
        userName = userName.Trim();
        var errors = new List<CommandError>();
        if (!ValidUserName().IsMatch(userName)) errors.Add(new("userName", "A user name is 1–64 letters, digits, '.', '_' or '-'."));
        if (!Roles.IsKnown(role)) errors.Add(new("role", $"The role must be {Roles.Viewer} or {Roles.Admin}."));
        if (PasswordError(password) is { } passwordError) errors.Add(passwordError);
        if (errors.Count > 0) return CommandResult<UserSummary>.Refused([.. errors]);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.Users.AnyAsync(u => u.UserName == userName, cancellationToken))
        {
            return CommandResult<UserSummary>.Refused(new CommandError("userName", $"There is already a user named '{userName}'."));
        }
        var now = time.GetUtcNow().UtcDateTime;
        var user = new UserAccount { UserName = userName, PasswordHash = "", Role = role, CreatedUtc = now };
        user.PasswordHash = Hasher.HashPassword(user, password);
        db.Users.Add(user);
        db.Audit.Add(Audit(now, actor, "user.created", userName, null, $"role {role}"));
        await db.SaveChangesAsync(cancellationToken);
        return CommandResult<UserSummary>.Ok(Summary(user, now));
    }

    /// <summary>Gives a user a new password (and clears any lockout); the old one stops working at once. Audited without the password.</summary>
    public Task<CommandResult<UserSummary>> ResetPasswordAsync(string userName, string newPassword, string actor, CancellationToken cancellationToken) =>
        PasswordError(newPassword) is { } error
            ? Task.FromResult(CommandResult<UserSummary>.Refused(error))
            : ChangeAsync(userName, actor, "user.password-reset", cancellationToken, (user, _) =>
            {
                user.PasswordHash = Hasher.HashPassword(user, newPassword);
                user.FailedLogins = 0;
                user.LockedUntilUtc = null;
                return ("password set", "password changed");
            });

    /// <summary>Lifts a lockout before it ends by itself; audited.</summary>
    public Task<CommandResult<UserSummary>> UnlockAsync(string userName, string actor, CancellationToken cancellationToken) =>
        ChangeAsync(userName, actor, "user.unlocked", cancellationToken, (user, now) =>
        {
            var before = user.LockedUntilUtc is { } until && until > now ? $"locked until {until:O}" : "not locked";
            user.FailedLogins = 0;
            user.LockedUntilUtc = null;
            return (before, "not locked");
        });

    private async Task<CommandResult<UserSummary>> ChangeAsync(
        string userName, string actor, string action, CancellationToken cancellationToken, Func<UserAccount, DateTime, (string Before, string After)> change)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.SingleOrDefaultAsync(u => u.UserName == userName, cancellationToken);
        if (user is null) return CommandResult<UserSummary>.Refused(new CommandError("userName", $"There is no user named '{userName}'."));
        var now = time.GetUtcNow().UtcDateTime;
        var (before, after) = change(user, now);
        db.Audit.Add(Audit(now, actor, action, user.UserName, before, after));
        await db.SaveChangesAsync(cancellationToken);
        return CommandResult<UserSummary>.Ok(Summary(user, now));
    }

    private static CommandError? PasswordError(string password) =>
        string.IsNullOrEmpty(password) || password.Length < MinimumPasswordLength
            ? new CommandError("password", $"A password needs at least {MinimumPasswordLength} characters.")
            : password.Length > 256 ? new CommandError("password", "A password may have at most 256 characters.") : null;

    private static UserSummary Summary(UserAccount u, DateTime now) => new(
        u.UserName, u.Role, new DateTimeOffset(u.CreatedUtc, TimeSpan.Zero), u.FailedLogins,
        u.LockedUntilUtc is { } until && until > now ? new DateTimeOffset(until, TimeSpan.Zero) : null);

    [System.Text.RegularExpressions.GeneratedRegex(@"^[A-Za-z0-9._\-]{1,64}$")]
    private static partial System.Text.RegularExpressions.Regex ValidUserName();

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
