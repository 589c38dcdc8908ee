// `clickstream produce`: generated click events to a Kafka topic (or NDJSON on stdout).
#include <cstdio>
#include <iostream>
#include <optional>

#include "cli/command.h"
#include "cli/stop_signals.h"
#include "events/produce_loop.h"
#include "events/record_source.h"
#include "kafka/admin.h"
#include "kafka/producer.h"

namespace clickstream::cli {
namespace {

struct ProduceFlags {
  std::string topic = "user_clicks";
  std::optional<int64_t> events;
  std::optional<double> duration_s;
  double rate = 0;
  int64_t users = 1000;
  uint64_t seed = 42;
  int32_t partitions = 4;
  double bad_ratio = 0;
  bool to_stdout = false;
};

constexpr int64_t kDefaultEvents = 100'000;
constexpr std::chrono::seconds kConnectTimeout{5};
// A message the broker has not acknowledged after this long is given up and counted as not
// delivered: Java's delivery.timeout.ms default, so a broker restart (a JVM start plus log
// recovery after a crash, 30 s and more on a loaded machine) loses nothing.
constexpr std::chrono::seconds kDeliveryTimeout{120};
constexpr std::chrono::seconds kFlushTimeout = kDeliveryTimeout + std::chrono::seconds(10);

// Sends records to the topic through kafka::Producer, key = user_id.
class KafkaSink : public events::RecordSink {
 public:
  explicit KafkaSink(kafka::Producer& producer) : producer_(producer) {}
  Status Send(const events::Record& record) override {
    return producer_.Send(record.key, record.payload);
  }
  void Serve() override { producer_.Poll(); }
  Status Finish() override { return producer_.Flush(kFlushTimeout); }
  int64_t delivered() const override { return producer_.counts().delivered; }
  int64_t failed() const override { return producer_.counts().failed; }

 private:
  kafka::Producer& producer_;
};

double Seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

double PerSecond(int64_t n, std::chrono::nanoseconds d) {
  return Seconds(d) > 0 ? static_cast<double>(n) / Seconds(d) : 0.0;
}

Status Produce(const ProduceFlags& flags, const GlobalOptions& globals) {
  events::RecordSourceOptions source_options;
  source_options.generator.users = flags.users;
  source_options.generator.seed = flags.seed;
  source_options.bad_ratio = flags.bad_ratio;
  CS_ASSIGN_OR_RETURN(auto source, events::RecordSource::Make(source_options));

  events::ProduceLoopOptions loop;
  loop.rate = flags.rate;
  if (flags.duration_s) {
    loop.duration = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(*flags.duration_s));
  }
  loop.events = flags.events;
  if (!flags.events && !flags.duration_s) loop.events = kDefaultEvents;

  const StopSignals stop;
  auto stop_requested = [&stop] { return stop.Requested(); };
  if (flags.to_stdout) {
    events::NdjsonSink sink(stdout);
    CS_ASSIGN_OR_RETURN(const auto done,
                        events::RunProduce(
                            source, sink, loop, [](const auto&) {}, stop_requested));
    CS_RETURN_IF_ERROR(sink.Finish());
    std::fprintf(stderr, "produce: wrote %lld events (%lld bad) as NDJSON in %.2fs\n",
                 static_cast<long long>(done.sent), static_cast<long long>(done.bad),
                 Seconds(done.elapsed));
    return Ok();
  }

  int32_t partitions = 0;
  {
    CS_ASSIGN_OR_RETURN(auto admin, kafka::Admin::Open(globals.brokers, kConnectTimeout));
    CS_ASSIGN_OR_RETURN(partitions,
                        admin->EnsureTopic(flags.topic, flags.partitions, kConnectTimeout * 2));
  }
  if (partitions != flags.partitions) {
    std::fprintf(
        stderr,
        "produce: topic %s already exists with %d partitions (--partitions %d not applied)\n",
        flags.topic.c_str(), partitions, flags.partitions);
  }
  kafka::ProducerOptions producer_options;
  producer_options.brokers = globals.brokers;
  producer_options.topic = flags.topic;
  producer_options.connect_timeout = kConnectTimeout;
  producer_options.delivery_timeout = kDeliveryTimeout;
  CS_ASSIGN_OR_RETURN(auto producer, kafka::Producer::Open(producer_options));
  KafkaSink sink(*producer);

  auto print_progress = [&producer](const events::ProduceProgress& p) {
    std::fprintf(
        stderr, "produce: %.0fs sent %lld, delivered %lld, %.0f events/s, errors %lld%s%s\n",
        Seconds(p.elapsed), static_cast<long long>(p.sent), static_cast<long long>(p.delivered),
        PerSecond(p.sent, p.elapsed), static_cast<long long>(p.failed),
        producer->last_error().empty() ? "" : " - ", producer->last_error().c_str());
  };
  const auto started = std::chrono::steady_clock::now();
  CS_ASSIGN_OR_RETURN(const auto done,
                      events::RunProduce(source, sink, loop, print_progress, stop_requested));
  const auto flushed = sink.Finish();
  // From the first send until every delivery report is in.
  const auto elapsed = std::chrono::steady_clock::now() - started;
  const auto counts = producer->counts();
  std::fprintf(stderr,
               "produce: %lld events (%lld bad) to %s (%d partitions) in %.2fs, %.0f events/s; "
               "delivered %lld, not delivered %lld\n",
               static_cast<long long>(done.sent), static_cast<long long>(done.bad),
               flags.topic.c_str(), partitions, Seconds(elapsed), PerSecond(done.sent, elapsed),
               static_cast<long long>(counts.delivered),
               static_cast<long long>(counts.sent - counts.delivered));
  return flushed;
}

}  // namespace

void AddProduceCommand(CLI::App& root, const GlobalOptions& globals, int& exit_code) {
  CLI::App* cmd = root.add_subcommand(
      "produce",
      "Send generated click events (JSON, key = user_id) to a Kafka topic, creating it if missing");
  auto flags = std::make_shared<ProduceFlags>();
  cmd->add_option("--topic", flags->topic, "Kafka topic")
      ->check(NameValue())
      ->capture_default_str();
  auto* events_opt =
      cmd->add_option("--events", flags->events,
                      "Number of events to send (default 100000 unless --duration is given)")
          ->check(CLI::Range(int64_t{0}, int64_t{1'000'000'000'000}));
  cmd->add_option("--duration", flags->duration_s, "Send for this many seconds instead")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            double seconds = 0;
            return CLI::detail::lexical_cast(text, seconds) && seconds > 0
                       ? ""
                       : "must be a number of seconds above 0, got " + text;
          },
          "SECONDS>0"))
      ->excludes(events_opt);
  cmd->add_option("--rate", flags->rate, "Events per second, 0 = as fast as possible")
      ->check(CLI::Range(0.0, 1e9))
      ->capture_default_str();
  cmd->add_option("--users", flags->users, "Size of the user population (user_1 .. user_U)")
      ->check(CLI::Range(int64_t{1}, int64_t{1'000'000'000}))
      ->capture_default_str();
  cmd->add_option("--seed", flags->seed, "Seed of the generator: same seed, same events")
      ->capture_default_str();
  cmd->add_option("--partitions", flags->partitions, "Partitions of the topic if it is created")
      ->check(CLI::Range(1, 10'000))
      ->capture_default_str();
  cmd->add_option("--bad-ratio", flags->bad_ratio,
                  "Share of malformed records to inject (broken JSON, missing field, wrong type, "
                  "bad timestamp, empty, invalid UTF-8)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_flag("--stdout", flags->to_stdout, "Write the events as NDJSON to stdout instead");
  cmd->callback([flags, &globals, &exit_code] {
    const auto status = Produce(*flags, globals);
    exit_code = status.has_value() ? kExitOk : ReportError(status.error());
  });
}

}  // namespace clickstream::cli
