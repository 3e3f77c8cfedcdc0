// Shared by the Stress and Plan pages: the TOML editor with examples, the
// job submission and the live progress bar.

import { ApiError, Job, cached, post, rememberJob, waitJob } from "../api";
import { h, message, select } from "../ui";

export interface Example {
  name: string;
  file: string;
  monte_carlo: boolean;
  /** Why the server would refuse it as a job, or null. */
  problem: string | null;
  text: string;
}

export function progressBar(id: string): { el: HTMLElement; set: (j: Job) => void } {
  const bar = h("div", { style: { width: "0%" } });
  const label = h("span", {}, "queued");
  const el = h("div", { class: "progress", id, role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": "0" }, bar, label);
  return {
    el,
    set: (j: Job) => {
      const p = Math.round(100 * (j.status === "done" ? 1 : j.progress));
      bar.style.width = `${p}%`;
      el.setAttribute("aria-valuenow", String(p));
      el.setAttribute("data-status", j.status);
      label.textContent = `${j.status} · ${p}%`;
    },
  };
}

/** Example picker + editor + Run button; calls `onDone` with the finished job. */
export async function jobRunner(opts: {
  root: HTMLElement;
  kind: "stress" | "plan";
  examplesPath: string;
  initial?: string;
  onDone: (job: Job, example: string) => void;
}): Promise<void> {
  const { examples } = await cached<{ examples: Example[] }>(opts.examplesPath);
  let current = examples.find((e) => e.name === opts.initial) ?? examples.find((e) => !e.problem) ?? examples[0];
  const editor = h("textarea", { rows: 14, id: `${opts.kind}-toml`, spellcheck: "false" }) as HTMLTextAreaElement;
  editor.value = current.text;
  const status = h("div", { id: `${opts.kind}-status` });
  const prog = progressBar(`${opts.kind}-progress`);
  prog.el.hidden = true;
  const run = h("button", { type: "button", id: `${opts.kind}-run` }, "Run as a job") as HTMLButtonElement;
  let running: string | null = null;
  const cancel = h("button", { type: "button", class: "small", id: `${opts.kind}-cancel`, hidden: true }, "Cancel") as HTMLButtonElement;
  cancel.addEventListener("click", async () => {
    if (!running) return;
    cancel.disabled = true;
    try {
      prog.set(await post<Job>(`/api/v1/jobs/${encodeURIComponent(running)}/cancel`, {}));
    } catch (e: any) {
      status.append(message("error", e.message));
    }
  });
  // Which data the job runs on (docs/server.md, jobs): the embedded
  // dataset, the joint workspace, or one of the party's datasets.
  const datasetName = h("input", { id: `${opts.kind}-dataset`, placeholder: "dataset name", hidden: true }) as HTMLInputElement;
  const data = select(
    [
      { value: "embedded", label: "the embedded dataset" },
      { value: "workspace", label: "the joint workspace" },
      { value: "dataset", label: "one of my party's datasets" },
    ],
    "embedded",
    (v) => (datasetName.hidden = v !== "dataset"),
    { id: `${opts.kind}-data` },
  );
  run.addEventListener("click", async () => {
    run.disabled = true;
    status.replaceChildren();
    prog.set({ status: "submitting", progress: 0 } as Job);
    prog.el.hidden = false;
    try {
      const body: Record<string, unknown> = opts.kind === "stress" ? { kind: "stress", scenario: editor.value } : { kind: "plan", plan: editor.value };
      if (data.value === "workspace") body.workspace = true;
      else if (data.value === "dataset") body.dataset = datasetName.value.trim();
      const job = await post<Job>("/api/v1/jobs", body);
      rememberJob({ id: job.id, kind: job.kind, label: `${current.name}${editor.value === current.text ? "" : " (edited)"}` });
      prog.set(job);
      status.append(h("p", { class: "note" }, `Job ${job.id} queued.`));
      running = job.id;
      cancel.hidden = false;
      cancel.disabled = false;
      const done = await waitJob(job.id, prog.set);
      if (done.status === "done") opts.onDone(done, current.name);
      else status.append(message("error", `Job ${done.status}${done.error ? `: ${done.error}` : ""}`));
    } catch (e: any) {
      status.append(message("error", e.message, e instanceof ApiError ? e.problems : []));
    } finally {
      run.disabled = false;
      running = null;
      cancel.hidden = true;
    }
  });
  opts.root.append(
    h(
      "section",
      { class: "card" },
      h(
        "div",
        { class: "controls" },
        h(
          "label",
          {},
          "Example",
          select(
            examples.map((e) => ({ value: e.name, label: `${e.file}${e.monte_carlo ? " (Monte Carlo)" : ""}${e.problem ? " (not runnable on the server yet)" : ""}` })),
            current.name,
            (v) => {
              current = examples.find((e) => e.name === v)!;
              editor.value = current.text;
              status.replaceChildren(...(current.problem ? [message("info", `The server refuses this example as it stands: ${current.problem}`)] : []));
            },
            { id: `${opts.kind}-example` },
          ),
        ),
        h("label", {}, "Run on", h("span", {}, data, " ", datasetName)),
        run,
        cancel,
      ),
      h("details", {}, h("summary", {}, "Edit the TOML"), editor),
      prog.el,
      status,
    ),
  );
}
