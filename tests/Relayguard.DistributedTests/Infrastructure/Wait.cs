namespace Relayguard.DistributedTests.Infrastructure;

/// <summary>Polls a condition until it is true or the timeout passes, never with a fixed sleep.</summary>
public static class Wait
{
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, timeout);

    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            if (await condition())
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {(timeout ?? TimeSpan.FromSeconds(30)).TotalSeconds} s waiting for {what}.");
            }

            await Task.Delay(50);
        }
    }
}
