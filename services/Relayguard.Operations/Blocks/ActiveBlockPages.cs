using Relayguard.Contracts;
using Relayguard.ServiceDefaults;

namespace Relayguard.Operations.Blocks;

/// <summary>Answers <see cref="ListActiveBlocks"/>: one page of the active blocks as block events, and which held blocks have ended.</summary>
public sealed class ActiveBlockPages(BlockStore store, SqliteDatabase database, TimeProvider timeProvider)
{
    public ActiveBlockList List(ListActiveBlocks request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = timeProvider.GetUtcNow();
        var after = request.After is not null && BlockStore.TryParseCursor(request.After) ? request.After : null;
        var page = store.List(new BlockQuery
        {
            State = BlockStates.Active,
            Limit = Math.Clamp(request.Limit, 1, PageCursor.MaxLimit),
            After = after,
        });

        var accountBlocks = new List<AccountBlocked>();
        var ipBlocks = new List<IpBlocked>();
        foreach (var block in page.Items)
        {
            var evidence = new BlockEvidence { Summary = block.EvidenceSummary };
            if (block.Kind == BlockKinds.Account)
            {
                var (account, onIp) = BlockSubjects.SplitAccount(block.Subject);
                accountBlocks.Add(new AccountBlocked
                {
                    EventId = block.EventId,
                    Account = account,
                    OnIp = onIp,
                    Code = block.Code,
                    Scope = block.Scope,
                    Reason = block.Reason,
                    Evidence = evidence,
                    BlockedAt = block.BlockedAt,
                    ExpiresAt = block.ExpiresAt,
                });
            }
            else
            {
                ipBlocks.Add(new IpBlocked
                {
                    EventId = block.EventId,
                    Ip = block.Subject,
                    Code = block.Code,
                    Scope = block.Scope,
                    Reason = block.Reason,
                    Evidence = evidence,
                    BlockedAt = block.BlockedAt,
                    ExpiresAt = block.ExpiresAt,
                });
            }
        }

        return new ActiveBlockList
        {
            AccountBlocks = accountBlocks,
            IpBlocks = ipBlocks,
            EndedEventIds = FindEnded(request.HeldEventIds, now),
            Next = page.Next,
            ListedAt = now,
        };
    }

    /// <summary>Of <paramref name="eventIds"/>, returns the blocks this registry records as lifted or expired. Unknown ids are left out, because their event may still be on its way.</summary>
    private List<Guid> FindEnded(IReadOnlyList<Guid> eventIds, DateTimeOffset now)
    {
        var ended = new List<Guid>();
        if (eventIds.Count == 0)
        {
            return ended;
        }

        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        foreach (var eventId in eventIds)
        {
            if (BlockStore.FindByEvent(connection, transaction, eventId, now) is { State: not BlockStates.Active })
            {
                ended.Add(eventId);
            }
        }

        return ended;
    }
}
