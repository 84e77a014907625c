using System.Diagnostics;

namespace Relayguard.Stores.Tests;

public static class TestTraceParents
{
    /// <summary>Returns a W3C traceparent with a new random trace id and span id, sampled.</summary>
    public static string New() => $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-01";
}
