using ArbBot.Engine.MarketData;

namespace ArbBot.Engine.Recording;

/// <summary>One normalized book event as recorded: the event (with the venue's timestamp) and when the hub received it.</summary>
public readonly struct RecordedBookEvent(BookEvent bookEvent, long receivedUtcTicks)
{
    // Fields rather than properties so the hot path can pass the event on by reference.
    public readonly BookEvent Event = bookEvent;

    /// <summary>When the hub received the event, in UTC ticks of its clock.</summary>
    public readonly long ReceivedUtcTicks = receivedUtcTicks;
}

/// <summary>Receives every book event the hub applies, on the hub's thread. Must return at once and never block.</summary>
public interface IBookEventRecorder
{
    /// <summary>Takes a copy of <paramref name="bookEvent"/>, received at <paramref name="receivedUtcTicks"/> (hub clock).</summary>
    void Record(in BookEvent bookEvent, long receivedUtcTicks);

    /// <summary>The hub took <paramref name="work"/> from its queue and runs it now, at <paramref name="utcTicks"/> (replay runs its own work here).</summary>
    void RecordHubWork(IHubWork work, long utcTicks)
    {
    }

    /// <summary>
    /// The event or work just recorded made the hub post <paramref name="count"/> work items to itself that ran right
    /// after it rather than through its queue (replay makes the same choice).
    /// </summary>
    void RecordOwnWork(int count, long utcTicks)
    {
    }
}

/// <summary>What a control record of a recording says (not market data; see <see cref="RecordingControl"/>).</summary>
public enum RecordingControlKind : byte
{
    /// <summary>Not a control record: the entry is a book event.</summary>
    None = 0,

    /// <summary>The recorder fell behind and dropped <see cref="RecordingControl.Value"/> events here: the recording has a gap.</summary>
    Gap = 1,

    /// <summary>The hub ran one work item from its queue here; <see cref="RecordingControl.Value"/> is its type's <see cref="RecordingFormat.WorkTag"/>.</summary>
    HubWork = 2,

    /// <summary>The record before this one made the hub run <see cref="RecordingControl.Value"/> work items of its own right after it.</summary>
    OwnWork = 3,

    /// <summary>At a file's start: the desk's paper order ids use this token (8 hex digits as a number); its presence says the hub's work is traced.</summary>
    PaperIdToken = 4,

    /// <summary>At a file's start: the last opportunity id handed out before it, so a replay numbers opportunities the same.</summary>
    LastOpportunityId = 5,
}

/// <summary>A control record: a gap, or where the hub ran work (what a replay needs to run the same work at the same point).</summary>
public readonly record struct RecordingControl(RecordingControlKind Kind, long Value, long ReceivedUtcTicks);

/// <summary>A recording that cannot be read: corrupt, truncated, or not a recording at all. Says where and why.</summary>
public sealed class RecordingFormatException(string message, Exception? inner = null) : Exception(message, inner);
