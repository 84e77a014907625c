namespace Relayguard.Operations.Webhooks;

/// <summary>
/// The outbox of webhook events, written with the change each one reports. Each receiver's progress is a cursor:
/// the id of the last event it got or was skipped. A cursor must never pass an event that is stored later.
/// </summary>
public interface IWebhookQueue
{
    /// <summary>Returns the receiver's cursor, creating it at the newest event so that a new receiver gets no history.</summary>
    long GetOrCreateCursor(string url);

    void SaveCursor(string url, long afterId);

    /// <summary>Reads up to <paramref name="limit"/> events after <paramref name="afterId"/>, oldest first.</summary>
    IReadOnlyList<WebhookItem> ReadAfter(long afterId, int limit);

    /// <summary>Deletes events older than <paramref name="before"/>, sent or not. Returns how many were deleted.</summary>
    int Prune(DateTimeOffset before);
}
