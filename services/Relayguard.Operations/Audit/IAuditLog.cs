namespace Relayguard.Operations.Audit;

/// <summary>The append-only record of every block, lift, allowlist and token change. The stores append an entry with the change itself.</summary>
public interface IAuditLog
{
    private const string CursorList = "audit";

    /// <summary>Decodes an audit log cursor and checks that it was made for the same kind and subject filters.</summary>
    static PageCursorCheck TryParseCursor(string cursor, string? kind, string? subject, out long afterId) =>
        PageCursor.TryDecode(CursorList, cursor, Filters(kind, subject), out _, out afterId);

    internal static string EncodeCursor(long lastId, string? kind, string? subject) =>
        PageCursor.Encode(CursorList, 0, lastId, Filters(kind, subject));

    private static string Filters(string? kind, string? subject) => $"{kind}|{subject}";

    /// <summary>Reads a page of entries, newest first, optionally only those about one kind or subject.</summary>
    Page<AuditEntry> List(int limit, long? afterId = null, string? kind = null, string? subject = null);
}
