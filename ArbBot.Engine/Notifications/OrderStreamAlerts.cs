using System.Globalization;
using ArbBot.Engine.Core;
using ArbBot.Engine.Execution;

namespace ArbBot.Engine.Notifications;

/// <summary>
/// Decides the alerts for the live gateways' order streams from successive desk snapshots, in the style of the feed
/// alerts: one when a stream that has been connected goes down, one when it is back, nothing in between however long it
/// stays down. A stream still making its first connection after arming is alerted once it has tried for longer than
/// <see cref="FirstConnectionGrace"/> (live orders would otherwise go out with nobody told their fills come late). Only
/// armed venues appear in a snapshot, so the desk on paper alerts nothing; a venue disarmed while down forgets that outage
/// (arming again while it is still down alerts it again). Not thread-safe: one watcher calls it.
/// </summary>
internal sealed class OrderStreamAlerts
{
    private readonly HashSet<VenueId> _alertedDown = [];

    /// <summary>How long a stream may take to make its first connection after arming before it is alerted.</summary>
    public TimeSpan FirstConnectionGrace { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The alerts the streams' states in <paramref name="streams"/> at <paramref name="now"/> call for (none when nothing changed).</summary>
    public IReadOnlyList<Notification> Observe(IReadOnlyList<VenueOrderStream> streams, DateTimeOffset now)
    {
        List<Notification>? alerts = null;
        _alertedDown.RemoveWhere(v => !streams.Any(s => s.Venue == v));
        foreach (var stream in streams)
        {
            var name = stream.Venue.DisplayName();
            if (stream.Connected)
            {
                if (_alertedDown.Remove(stream.Venue)) (alerts ??= []).Add(new Notification("venue", $"✅ {name} orders stream is connected again: fills and order updates are pushed live."));
                continue;
            }
            var since = stream.DisconnectedSince is { } at ? at.UtcDateTime.ToString(" 'since' HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) : "";
            if (!stream.EverConnected)
            {
                // Still making its first connection: not an outage until it has tried for longer than the grace.
                if (stream.DisconnectedSince is not { } trying || now - trying < FirstConnectionGrace || !_alertedDown.Add(stream.Venue)) continue;
                (alerts ??= []).Add(new Notification("venue",
                    $"⚠️ {name} orders stream has not connected{since} while trading LIVE: fills may be missed until it connects and they are reconciled over REST."));
                continue;
            }
            if (!_alertedDown.Add(stream.Venue)) continue;
            (alerts ??= []).Add(new Notification("venue",
                $"⚠️ {name} orders stream is down{since} while trading LIVE: fills may be missed until it reconnects and they are reconciled over REST."));
        }
        return alerts ?? (IReadOnlyList<Notification>)[];
    }
}
