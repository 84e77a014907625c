namespace Relayguard.Stores.Tests;

public static class TestClock
{
    /// <summary>
    /// The start of the current hour: recent enough that no TTL index of a MongoDB store deletes the test's documents
    /// while it runs, and fixed, so every time in a test is an offset from it.
    /// </summary>
    public static DateTimeOffset HourStart { get; } = new DateTimeOffset(DateTime.UtcNow.Ticks - (DateTime.UtcNow.Ticks % TimeSpan.TicksPerHour), TimeSpan.Zero);
}
