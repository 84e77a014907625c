using Relayguard.Contracts;

namespace Relayguard.Operations.Blocks;

/// <summary>Answers <see cref="ListActiveBlocks"/>: one page of the active blocks as block events, and which held blocks have ended.</summary>
public sealed class ActiveBlockPages(IBlockStore store, TimeProvider timeProvider)
{
    public ActiveBlockList List(ListActiveBlocks request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = timeProvider.GetUtcNow();
        var query = new BlockQuery { State = BlockStates.Active, Limit = Math.Clamp(request.Limit, 1, PageCursor.MaxLimit) };
        if (request.After is not null && IBlockStore.CheckCursor(request.After, query) == PageCursorCheck.Valid)
        {
            query = query with { After = request.After };
        }

        var page = store.List(query);

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
            EndedEventIds = store.FindEnded(request.HeldEventIds),
            Next = page.Next,
            ListedAt = now,
        };
    }
}
