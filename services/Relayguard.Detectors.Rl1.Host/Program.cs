using Relayguard.Detectors.Rl1;
using Relayguard.ServiceDefaults;

// The RL1 detector as a process of its own: consumes events from RabbitMQ, keeps its state in the store that
// Store:Kind names, and publishes blocks. Replicas compete for the same queues and decide as one.
var builder = ServiceHost.CreateBuilder(args, "relayguard-rl1");

builder.AddStateStore<IRl1Store>((_, database) => new MongoRl1Store(database));
builder.Services.AddRl1Detector(builder.Configuration);
builder.Services.AddRelayguardBus(builder.Configuration, bus => bus.AddRl1Consumers());

return await ServiceHost.RunAsync(builder, "relayguard-rl1");
