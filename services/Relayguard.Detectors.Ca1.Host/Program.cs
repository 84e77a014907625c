using Microsoft.Extensions.Options;
using Relayguard.Detectors.Ca1;
using Relayguard.ServiceDefaults;

// The CA1 detector as a process of its own: consumes events from RabbitMQ, keeps its state in the store that
// Store:Kind names, and publishes blocks. Replicas compete for the same queues and decide as one.
var builder = ServiceHost.CreateBuilder(args, "relayguard-ca1");

builder.AddStateStore<ICa1Store>((services, database) => new MongoCa1Store(database, services.GetRequiredService<IOptions<Ca1Options>>()));
builder.Services.AddCa1Detector(builder.Configuration);
builder.Services.AddRelayguardBus(builder.Configuration, bus => bus.AddCa1Consumers());

return await ServiceHost.RunAsync(builder, "relayguard-ca1");
