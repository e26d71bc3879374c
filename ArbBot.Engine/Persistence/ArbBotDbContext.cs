using System.Text;
using Microsoft.EntityFrameworkCore;

namespace ArbBot.Engine.Persistence;

/// <summary>
/// The desk's database. The schema is created and upgraded by <see cref="SchemaMigrator"/> (versioned SQL per
/// provider), and this model maps onto it; a test checks every mapped table and column against a migrated database.
/// Columns are the snake_case of the property names.
/// </summary>
public sealed class ArbBotDbContext(DbContextOptions<ArbBotDbContext> options) : DbContext(options)
{
    public DbSet<UserAccount> Users => Set<UserAccount>();
    public DbSet<AuditEntry> Audit => Set<AuditEntry>();
    public DbSet<PairRow> Pairs => Set<PairRow>();
    public DbSet<OpportunityRow> Opportunities => Set<OpportunityRow>();
    public DbSet<OrderRow> Orders => Set<OrderRow>();
    public DbSet<OrderTransitionRow> OrderTransitions => Set<OrderTransitionRow>();
    public DbSet<FillRow> Fills => Set<FillRow>();
    public DbSet<ExecutionRow> Executions => Set<ExecutionRow>();
    public DbSet<RiskEventRow> RiskEvents => Set<RiskEventRow>();
    public DbSet<PositionRow> Positions => Set<PositionRow>();
    public DbSet<PnlSnapshotRow> PnlSnapshots => Set<PnlSnapshotRow>();
    public DbSet<SettingRow> Settings => Set<SettingRow>();
    public DbSet<ReplayReportRow> ReplayReports => Set<ReplayReportRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<UserAccount>(e =>
        {
            e.ToTable("users");
            e.HasIndex(u => u.UserName).IsUnique();
        });
        modelBuilder.Entity<AuditEntry>().ToTable("audit");
        modelBuilder.Entity<PairRow>(e =>
        {
            e.ToTable("pairs");
            e.HasIndex(p => new { p.KalshiMarketKey, p.PolymarketMarketKey }).IsUnique();
        });
        modelBuilder.Entity<OpportunityRow>(e =>
        {
            e.ToTable("opportunities");
            e.Property(o => o.Id).ValueGeneratedNever();
        });
        modelBuilder.Entity<OrderRow>(e =>
        {
            e.ToTable("orders");
            e.HasKey(o => o.ClientOrderId);
        });
        modelBuilder.Entity<OrderTransitionRow>().ToTable("order_transitions");
        modelBuilder.Entity<FillRow>(e =>
        {
            e.ToTable("fills");
            e.HasKey(f => f.FillId);
        });
        modelBuilder.Entity<ExecutionRow>(e =>
        {
            e.ToTable("executions");
            e.HasKey(x => x.OpportunityId);
            e.Property(x => x.OpportunityId).ValueGeneratedNever();
        });
        modelBuilder.Entity<RiskEventRow>().ToTable("risk_events");
        modelBuilder.Entity<PositionRow>(e =>
        {
            e.ToTable("positions");
            e.HasKey(p => new { p.Venue, p.Symbol });
        });
        modelBuilder.Entity<PnlSnapshotRow>().ToTable("pnl_snapshots");
        modelBuilder.Entity<ReplayReportRow>().ToTable("replay_reports");
        modelBuilder.Entity<SettingRow>(e =>
        {
            e.ToTable("settings");
            e.HasKey(s => s.Key);
        });

        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(SnakeCase(property.Name));
            }
        }
    }

    internal static string SnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c) && i > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }
}
