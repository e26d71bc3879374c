namespace ArbBot.Engine.Persistence;

/// <summary>Roles a dashboard user can hold.</summary>
public static class Roles
{
    public const string Admin = "Admin";
    public const string Viewer = "Viewer";

    public static bool IsKnown(string role) => role is Admin or Viewer;
}

/// <summary>A person who may sign in to the dashboard. Only a password hash is ever stored.</summary>
public sealed class UserAccount
{
    public long Id { get; set; }
    public required string UserName { get; set; }
    public required string PasswordHash { get; set; }
    public required string Role { get; set; }
    public DateTime CreatedUtc { get; set; }
    public int FailedLogins { get; set; }
    /// <summary>Sign-in is refused until this time after too many failed attempts.</summary>
    public DateTime? LockedUntilUtc { get; set; }
}

/// <summary>One change made by a person or by the system: who, when, what, the value before and after.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public DateTime AtUtc { get; set; }
    public required string Actor { get; set; }
    public required string Action { get; set; }
    public required string Target { get; set; }
    public string? OldValue { get; set; }
    public string? NewValue { get; set; }
}
