using Microsoft.EntityFrameworkCore;

namespace ArbBot.Engine.Persistence;

/// <summary>
/// The desk's database. The schema is created and upgraded by <see cref="SchemaMigrator"/> (versioned SQL per
/// provider), and this model maps onto it; a test checks that every mapped table and column exists on both providers.
/// </summary>
public sealed class ArbBotDbContext(DbContextOptions<ArbBotDbContext> options) : DbContext(options)
{
    public DbSet<UserAccount> Users => Set<UserAccount>();
    public DbSet<AuditEntry> Audit => Set<AuditEntry>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<UserAccount>(e =>
        {
            e.ToTable("users");
            e.HasKey(u => u.Id);
            e.Property(u => u.Id).HasColumnName("id");
            e.Property(u => u.UserName).HasColumnName("user_name").HasMaxLength(64);
            e.HasIndex(u => u.UserName).IsUnique();
            e.Property(u => u.PasswordHash).HasColumnName("password_hash");
            e.Property(u => u.Role).HasColumnName("role").HasMaxLength(16);
            e.Property(u => u.CreatedUtc).HasColumnName("created_utc");
            e.Property(u => u.FailedLogins).HasColumnName("failed_logins");
            e.Property(u => u.LockedUntilUtc).HasColumnName("locked_until_utc");
        });
        modelBuilder.Entity<AuditEntry>(e =>
        {
            e.ToTable("audit");
            e.HasKey(a => a.Id);
            e.Property(a => a.Id).HasColumnName("id");
            e.Property(a => a.AtUtc).HasColumnName("at_utc");
            e.Property(a => a.Actor).HasColumnName("actor");
            e.Property(a => a.Action).HasColumnName("action");
            e.Property(a => a.Target).HasColumnName("target");
            e.Property(a => a.OldValue).HasColumnName("old_value");
            e.Property(a => a.NewValue).HasColumnName("new_value");
        });
    }
}
