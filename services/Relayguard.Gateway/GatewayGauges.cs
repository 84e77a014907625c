using Relayguard.Gateway.Blocks;
using Relayguard.Gateway.Events;
using Relayguard.Gateway.Session;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway;

/// <summary>Observable gauges of the gateway's state: the block cache, the events still in the outbox and the failure notices still owed.</summary>
public sealed class GatewayGauges
{
    public GatewayGauges(BlockCache cache, EventOutbox outbox, FailureNoticeQueue notices, SmtpGatewayService smtp)
    {
        RelayguardTelemetry.Meter.CreateObservableGauge("relayguard.block_cache.size", () => cache.Count, "{block}", "Blocks held in this gateway's cache.");
        RelayguardTelemetry.Meter.CreateObservableGauge("relayguard.outbox.pending", () => outbox.Pending, "{event}", "Events written to the outbox and not yet published.");
        RelayguardTelemetry.Meter.CreateObservableGauge("relayguard.notices.pending", () => notices.Pending, "{notice}", "Failure notices to senders that the upstream has not yet taken.");
        RelayguardTelemetry.Meter.CreateObservableGauge("relayguard.smtp.sessions", () => smtp.ActiveSessions, "{session}", "Open SMTP sessions on the submission listeners.");
    }
}
