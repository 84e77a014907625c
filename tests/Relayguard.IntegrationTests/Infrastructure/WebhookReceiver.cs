using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Relayguard.IntegrationTests.Infrastructure;

/// <summary>
/// A webhook receiver on 127.0.0.1 that records every request and responds with the status that
/// <see cref="StatusFor"/> chooses from the number of the request (1 for the first).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<ReceivedWebhook> _received = Channel.CreateUnbounded<ReceivedWebhook>();
    private int _count;

    private WebhookReceiver(WebApplication app)
    {
        _app = app;
    }

    public Func<int, int> StatusFor { get; set; } = _ => StatusCodes.Status204NoContent;

    public string Url { get; private set; } = string.Empty;

    public ConcurrentQueue<ReceivedWebhook> All { get; } = new();

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hooks/relayguard", receiver.ReceiveAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver.Url = address + "/hooks/relayguard";
        return receiver;
    }

    /// <summary>Waits for the next request, failing after <paramref name="timeout"/> (default 20 seconds).</summary>
    public async Task<ReceivedWebhook> NextAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        try
        {
            return await _received.Reader.ReadAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No webhook arrived within {(timeout ?? TimeSpan.FromSeconds(20)).TotalSeconds:0} seconds; {All.Count} arrived before.");
        }
    }

    /// <summary>Waits for the next request of the given event type, skipping others.</summary>
    public async Task<ReceivedWebhook> NextOfTypeAsync(string eventType)
    {
        while (true)
        {
            var webhook = await NextAsync();
            if (webhook.Headers.GetValueOrDefault("X-Relayguard-Event") == eventType)
            {
                return webhook;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<IResult> ReceiveAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var webhook = new ReceivedWebhook(
            request.Headers.ToDictionary(header => header.Key, header => header.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            buffer.ToArray());
        All.Enqueue(webhook);
        await _received.Writer.WriteAsync(webhook);
        return Results.StatusCode(StatusFor(Interlocked.Increment(ref _count)));
    }
}
