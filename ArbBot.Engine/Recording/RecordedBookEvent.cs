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
}

/// <summary>A recording that cannot be read: corrupt, truncated, or not a recording at all. Says where and why.</summary>
public sealed class RecordingFormatException(string message, Exception? inner = null) : Exception(message, inner);
