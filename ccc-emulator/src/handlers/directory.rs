//! The directory: instances, users, skill groups with their members and levels, and phone
//! numbers. The List, Get, Create, Modify, Add and Remove actions read and change the same data
//! that agents and calls use.

use serde_json::{Value, json};

use super::kit::{
    Answer, Failure, HandlerFn, Page, Req, acting_user, data, fail_args, fail_with, instance_mut,
    not_in_state, user_of,
};
use crate::agent::{Agent, WorkMode};
use crate::world::{
    Instance, MAX_SKILL_GROUPS, MAX_USERS, SkillGroup, User, World, in_call, work_mode,
};

pub(crate) const HANDLERS: &[(&str, HandlerFn)] = &[
    ("AddNumbersToSkillGroup", add_numbers_to_skill_group),
    (
        "AddPhoneNumberToSkillGroups",
        add_phone_number_to_skill_groups,
    ),
    ("AddSkillGroupsToUser", add_skill_groups_to_user),
    ("AddUsersToSkillGroup", add_users_to_skill_group),
    ("CreateSkillGroup", create_skill_group),
    ("CreateUser", create_user),
    ("DeleteSkillGroup", delete_skill_group),
    ("GetInstance", get_instance),
    ("GetUser", get_user),
    ("ListInstances", list_instances),
    ("ListPhoneNumbers", list_phone_numbers),
    (
        "ListPhoneNumbersOfSkillGroup",
        list_phone_numbers_of_skill_group,
    ),
    ("ListSkillGroups", list_skill_groups),
    ("ListSkillLevelsOfUser", list_skill_levels_of_user),
    (
        "ListUserLevelsOfSkillGroup",
        list_user_levels_of_skill_group,
    ),
    ("ListUsers", list_users),
    ("ModifySkillGroup", modify_skill_group),
    ("ModifySkillLevelsOfUser", modify_skill_levels_of_user),
    ("ModifyUser", modify_user),
    (
        "ModifyUserLevelsOfSkillGroup",
        modify_user_levels_of_skill_group,
    ),
    (
        "RemovePhoneNumberFromSkillGroups",
        remove_phone_number_from_skill_groups,
    ),
    (
        "RemovePhoneNumbersFromSkillGroup",
        remove_phone_numbers_from_skill_group,
    ),
    ("RemoveSkillGroupsFromUser", remove_skill_groups_from_user),
    ("RemoveUsers", remove_users),
    ("RemoveUsersFromSkillGroup", remove_users_from_skill_group),
];

/// Whether `text` contains `pattern`, ignoring case; no pattern matches everything.
fn matches(pattern: Option<&str>, texts: &[&str]) -> bool {
    pattern.is_none_or(|p| {
        let p = p.to_lowercase();
        texts.iter().any(|t| t.to_lowercase().contains(&p))
    })
}

fn user_entry(instance: &Instance, user: &User) -> Value {
    let levels: Vec<Value> = user
        .skill_levels
        .iter()
        .map(|(g, level)| {
            json!({
                "SkillGroupId": g,
                "?SkillGroupName": instance.skill_groups.get(g).map(|s| s.name.as_str()),
                "SkillLevel": level,
            })
        })
        .collect();
    let agent = &user.agent;
    json!({
        "UserId": agent.user_id,
        "?InstanceId": instance.id,
        "LoginName": agent.user_id.split('@').next().unwrap_or_default(),
        "DisplayName": user.display_name,
        "?Email": user.email,
        "?Mobile": user.mobile,
        "?Extension": agent.extension,
        "?RoleId": user.role_id,
        "?RoleName": user.role_name,
        "?WorkMode": agent.work_mode.as_str(),
        "?DeviceId": agent.device_id,
        "?DeviceState": if agent.device_id.is_some() { "ONLINE" } else { "OFFLINE" },
        "?Primary": false,
        "?PrimaryAccount": false,
        "?SkillLevelList": levels,
        "?PersonalOutboundNumberList": [],
    })
}

fn group_entry(instance: &Instance, group: &SkillGroup) -> Value {
    json!({
        "SkillGroupId": group.id,
        "?SkillGroupName": group.name,
        "?Name": group.name,
        "?DisplayName": group.display_name,
        "?Description": group.description,
        "InstanceId": instance.id,
        "?MediaType": group.media_type,
        "?UserCount": instance.users.values().filter(|u| u.skill_levels.contains_key(&group.id)).count(),
        "?PhoneNumberCount": instance.numbers.values().filter(|n| n.skill_group_ids.contains(&group.id)).count(),
    })
}

fn number_entry(instance: &Instance, number: &crate::world::PhoneNumber) -> Value {
    let groups: Vec<Value> = number
        .skill_group_ids
        .iter()
        .filter_map(|g| instance.skill_groups.get(g))
        .map(|g| group_entry(instance, g))
        .collect();
    json!({
        "Number": number.number,
        "?InstanceId": instance.id,
        "?Active": number.active,
        "?Province": number.province,
        "?City": number.city,
        "?Usage": number.usage,
        "?Provider": "emulator",
        "?SkillGroups": groups,
    })
}

fn instance_entry(instance: &Instance) -> Value {
    let admins: Vec<Value> = instance
        .users
        .values()
        .filter(|u| u.role_name == "Admin")
        .map(|u| user_entry(instance, u))
        .collect();
    let numbers: Vec<Value> = instance
        .numbers
        .values()
        .map(|n| number_entry(instance, n))
        .collect();
    json!({
        "Id": instance.id,
        "Name": instance.name,
        "Description": instance.description,
        "DomainName": instance.id,
        "Status": "RUNNING",
        "ConsoleUrl": format!("https://ccc.console.aliyun.com/{}", instance.id),
        "AliyunUid": "1000000000000000",
        "AdminList": admins,
        "NumberList": numbers,
    })
}

fn get_instance(world: &mut World, req: &Req<'_>) -> Answer {
    let instance = instance_mut(world, req)?;
    Ok(data(instance_entry(instance)))
}

fn list_instances(world: &mut World, req: &Req<'_>) -> Answer {
    let page = Page::of(req)?;
    page.answer(world.instances.values().collect(), instance_entry)
}

fn list_users(world: &mut World, req: &Req<'_>) -> Answer {
    let instance = instance_mut(world, req)?;
    let page = Page::of(req)?;
    let pattern = req.get("SearchPattern");
    let group = req.get("SkillGroupId");
    let items = instance
        .users
        .values()
        .filter(|u| group.is_none_or(|g| u.skill_levels.contains_key(g)))
        .filter(|u| {
            matches(
                pattern,
                &[
                    &u.agent.user_id,
                    &u.display_name,
                    &u.email,
                    &u.agent.extension,
                ],
            )
        })
        .collect();
    page.answer(items, |u| user_entry(instance, u))
}

fn get_user(world: &mut World, req: &Req<'_>) -> Answer {
    let instance = instance_mut(world, req)?;
    let user = match (req.get("UserId"), req.get("Extension")) {
        (Some(id), _) => instance.users.get(user_of(instance, id)?),
        (None, Some(ext)) => instance.users.values().find(|u| u.agent.extension == ext),
        (None, None) => return Err(fail_with("MissingParameter", "UserId")),
    };
    let user = user.ok_or_else(|| {
        fail_args(
            "NotExists.UserId",
            [
                req.get("Extension").unwrap_or_default(),
                instance.id.as_str(),
            ],
        )
    })?;
    Ok(data(user_entry(instance, user)))
}

/// A list of `{"<key>": id, "skillLevel": n}` objects, as the level parameters send them.
fn levels(req: &Req<'_>, name: &'static str, key: &str) -> Result<Vec<(String, i32)>, Failure> {
    let Some(text) = req.get(name) else {
        return Ok(Vec::new());
    };
    let format = |why: &str| fail_args("Parameter.Format", [name, why]);
    let items: Vec<Value> =
        serde_json::from_str(text).map_err(|_| format("It must be a JSON list of objects."))?;
    let mut out = Vec::with_capacity(items.len());
    for item in &items {
        let id = item
            .get(key)
            .and_then(Value::as_str)
            .ok_or_else(|| format(&format!("Each item needs \"{key}\".")))?;
        let level = item.get("skillLevel").and_then(Value::as_i64).unwrap_or(1);
        if level < 1 {
            return Err(fail_args("Parameter.Minimum", ["skillLevel", "1"]));
        }
        if level > 10 {
            return Err(fail_args("Parameter.Maximum", ["skillLevel", "10"]));
        }
        out.push((id.to_owned(), i32::try_from(level).unwrap_or(1)));
    }
    Ok(out)
}

fn check_groups<'a>(
    instance: &Instance,
    groups: impl IntoIterator<Item = &'a String>,
) -> Result<(), Failure> {
    for g in groups {
        if !instance.skill_groups.contains_key(g) {
            return Err(fail_args("NotExists.SkillGroupId", [g, &instance.id]));
        }
    }
    Ok(())
}

fn create_user(world: &mut World, req: &Req<'_>) -> Answer {
    let now = world.now_ms();
    let instance = instance_mut(world, req)?;
    let login = req.required("LoginName")?;
    let display = req.required("DisplayName")?;
    let email = req.required("Email")?;
    let role = req.required("RoleId")?;
    // Optional in the service's definition: a new agent works on site unless told otherwise.
    let mode = req.get("WorkMode").unwrap_or(WorkMode::OnSite.as_str());
    let mode = work_mode(mode).ok_or_else(|| {
        fail_args(
            "Parameter.Enumeration",
            ["WorkMode", "ON_SITE, OFF_SITE, OFFICE_PHONE"],
        )
    })?;
    if login.contains('@') || login.len() > 64 {
        return Err(fail_args(
            "Parameter.Invalid",
            [
                "LoginName",
                "A login name has no @ and at most 64 characters",
            ],
        ));
    }
    let user_id = format!("{login}@{}", instance.id);
    if instance.users.contains_key(&user_id) {
        return Err(fail_args("AlreadyExists.User", [login, &instance.id]));
    }
    if instance.users.len() >= MAX_USERS {
        let limit = MAX_USERS.to_string();
        return Err(fail_args(
            "Parameter.Maximum",
            ["users of an instance", &limit],
        ));
    }
    let skill_levels = levels(req, "SkillLevelList", "skillGroupId")?;
    check_groups(instance, skill_levels.iter().map(|(g, _)| g))?;
    let extension = instance
        .users
        .values()
        .filter_map(|u| u.agent.extension.parse::<u64>().ok())
        .max()
        .map_or(80_000_001, |n| n + 1)
        .to_string();
    let mut agent = Agent::new(user_id.clone(), extension);
    agent.work_mode = mode;
    let mut user = User::new(agent);
    user.display_name = display.to_owned();
    user.email = email.to_owned();
    user.mobile = req.get("Mobile").unwrap_or_default().to_owned();
    user.role_id = role.to_owned();
    user.role_name = role.split('@').next().unwrap_or(role).to_owned();
    user.skill_levels = skill_levels.into_iter().collect();
    user.state_since_ms = now;
    instance.users.insert(user_id.clone(), user);
    Ok(data(user_entry(instance, &instance.users[&user_id])))
}

fn modify_user(world: &mut World, req: &Req<'_>) -> Answer {
    let instance = instance_mut(world, req)?;
    let user_id = user_of(instance, req.required("UserId")?)?.to_owned();
    let mode = req.required("WorkMode")?;
    let mode = work_mode(mode).ok_or_else(|| {
        fail_args(
            "Parameter.Enumeration",
            ["WorkMode", "ON_SITE, OFF_SITE, OFFICE_PHONE"],
        )
    })?;
    if let Some(user) = instance.users.get_mut(&user_id) {
        user.agent.work_mode = mode;
        if let Some(v) = req.get("Mobile") {
            v.clone_into(&mut user.mobile);
        }
        if let Some(v) = req.get("DisplayName") {
            v.clone_into(&mut user.display_name);
        }
        if let Some(v) = req.get("RoleId") {
            v.clone_into(&mut user.role_id);
            user.role_name = v.split('@').next().unwrap_or(v).to_owned();
        }
    }
    Ok(Default::default())
}

fn remove_users(world: &mut World, req: &Req<'_>) -> Answer {
    let instance = instance_mut(world, req)?;
    let ids = req.list("UserIdList");
    if ids.is_empty() {
        return Err(fail_with("Parameter.Empty", "UserIdList"));
    }
    for id in &ids {
        user_of(instance, id)?;
        let state = instance.users[id].agent.state;
        if in_call(state) {
            return Err(not_in_state(id, state));
        }
    }
    for id in &ids {
        instance.users.remove(id);
        instance.after_call_work.remove(id);
    }
    Ok(Default::default())
}

fn list_skill_groups(world: &mut World, req: &Req<'_>) -> Answer {
    let instance = instance_mut(world, req)?;
    let page = Page::of(req)?;
    let pattern = req.get("SearchPattern");
    let items = instance
        .skill_groups
        .values()
        .filter(|g| matches(pattern, &[&g.id, &g.name, &g.display_name]))
        .collect();
    page.answer(items, |g| group_entry(instance, g))
}

fn create_skill_group(world: &mut World, req: &Req<'_>) -> Answer {
    let instance = instance_mut(world, req)?;
    let name = req.required("Name")?;
    let display = req.required("DisplayName")?;
    if name.contains('@') || name.len() > 64 {
        return Err(fail_args(
            "Parameter.Invalid",
            [
                "Name",
                "A skill group name has no @ and at most 64 characters",
            ],
        ));
    }
    let id = format!("{name}@{}", instance.id);
    if instance.skill_groups.contains_key(&id) {
        return Err(fail_args("AlreadyExists.SkillGroup", [name, &instance.id]));
    }
    if instance.skill_groups.len() >= MAX_SKILL_GROUPS {
        let limit = MAX_SKILL_GROUPS.to_string();
        return Err(fail_args(
            "Parameter.Maximum",
            ["skill groups of an instance", &limit],
        ));
    }
    let group = SkillGroup {
        id: id.clone(),
        name: name.to_owned(),
        display_name: display.to_owned(),
        description: req.get("Description").unwrap_or_default().to_owned(),
        media_type: req.get("MediaType").unwrap_or("VOICE").to_owned(),
    };
    instance.skill_groups.insert(id.clone(), group);
    Ok(data(group_entry(instance, &instance.skill_groups[&id])))
}

/// The skill group a request names (`SkillGroupId`, required), which must exist.
fn group_of(instance: &Instance, req: &Req<'_>) -> Result<String, Failure> {
    let id = req.required("SkillGroupId")?;
    if instance.skill_groups.contains_key(id) {
        Ok(id.to_owned())
    } else {
        Err(fail_args("NotExists.SkillGroupId", [id, &instance.id]))
    }
}

fn modify_skill_group(world: &mut World, req: &Req<'_>) -> Answer {
    let instance = instance_mut(world, req)?;
    let id = group_of(instance, req)?;
    if let Some(group) = instance.skill_groups.get_mut(&id) {
        // Optional in the service's definition: a group keeps its display name unless given one.
        if let Some(display) = req.get("DisplayName") {
            display.clone_into(&mut group.display_name);
        }
        if let Some(d) = req.get("Description") {
            d.clone_into(&mut group.description);
        }
    }
    Ok(Default::default())
}

fn delete_skill_group(world: &mut World, req: &Req<'_>) -> Answer {
    let instance = instance_mut(world, req)?;
    let id = group_of(instance, req)?;
    instance.skill_groups.remove(&id);
    for user in instance.users.values_mut() {
        user.skill_levels.remove(&id);
        user.agent.signed_skill_group_ids.retain(|g| *g != id);
    }
    for number in instance.numbers.values_mut() {
        number.skill_group_ids.retain(|g| *g != id);
    }
    Ok(Default::default())
}

fn set_user_levels(world: &mut World, req: &Req<'_>, list: &'static str) -> Answer {
    let instance = instance_mut(world, req)?;
    let group = group_of(instance, req)?;
    let levels = levels(req, list, "userId")?;
    for (user, _) in &levels {
        user_of(instance, user)?;
    }
    for (user, level) in levels {
        if let Some(u) = instance.users.get_mut(&user) {
            u.skill_levels.insert(group.clone(), level);
        }
    }
    Ok(Default::default())
}

fn add_users_to_skill_group(world: &mut World, req: &Req<'_>) -> Answer {
    set_user_levels(world, req, "UserSkillLevelList")
}

fn modify_user_levels_of_skill_group(world: &mut World, req: &Req<'_>) -> Answer {
    set_user_levels(world, req, "UserLevelList")
}

fn remove_users_from_skill_group(world: &mut World, req: &Req<'_>) -> Answer {
    let instance = instance_mut(world, req)?;
    let group = group_of(instance, req)?;
    let users = req.list("UserIdList");
    for user in &users {
        user_of(instance, user)?;
    }
    for user in users {
        if let Some(u) = instance.users.get_mut(&user) {
            u.skill_levels.remove(&group);
            u.agent.signed_skill_group_ids.retain(|g| *g != group);
        }
    }
    Ok(Default::default())
}

fn set_group_levels(world: &mut World, req: &Req<'_>) -> Answer {
    let instance = instance_mut(world, req)?;
    let user = user_of(instance, req.required("UserId")?)?.to_owned();
    let levels = levels(req, "SkillLevelList", "skillGroupId")?;
    check_groups(instance, levels.iter().map(|(g, _)| g))?;
    if let Some(u) = instance.users.get_mut(&user) {
        u.skill_levels.extend(levels);
    }
    Ok(Default::default())
}

fn add_skill_groups_to_user(world: &mut World, req: &Req<'_>) -> Answer {
    set_group_levels(world, req)
}

fn modify_skill_levels_of_user(world: &mut World, req: &Req<'_>) -> Answer {
    set_group_levels(world, req)
}

fn remove_skill_groups_from_user(world: &mut World, req: &Req<'_>) -> Answer {
    let instance = instance_mut(world, req)?;
    let user = user_of(instance, req.required("UserId")?)?.to_owned();
    let groups = req.list("SkillGroupIdList");
    check_groups(instance, &groups)?;
    if let Some(u) = instance.users.get_mut(&user) {
        for g in &groups {
            u.skill_levels.remove(g);
            u.agent.signed_skill_group_ids.retain(|s| s != g);
        }
    }
    Ok(Default::default())
}

fn list_user_levels_of_skill_group(world: &mut World, req: &Req<'_>) -> Answer {
    let instance = instance_mut(world, req)?;
    let group = group_of(instance, req)?;
    let page = Page::of(req)?;
    let member = req.flag("IsMember").unwrap_or(true);
    let pattern = req.get("SearchPattern");
    let group_name = instance.skill_groups[&group].name.clone();
    let items = instance
        .users
        .values()
        .filter(|u| u.skill_levels.contains_key(&group) == member)
        .filter(|u| matches(pattern, &[&u.agent.user_id, &u.display_name]))
        .map(|u| {
            let mut entry = user_entry(instance, u);
            if let Value::Object(m) = &mut entry {
                m.insert("SkillGroupId".into(), json!(group));
                m.insert("SkillGroupName".into(), json!(group_name));
                m.insert("SkillLevel".into(), json!(u.skill_levels.get(&group)));
            }
            entry
        })
        .collect();
    page.answer(items, |v| v)
}

fn list_skill_levels_of_user(world: &mut World, req: &Req<'_>) -> Answer {
    let instance = instance_mut(world, req)?;
    let page = Page::of(req)?;
    let user_id = acting_user(instance, req)?;
    let member = req.flag("IsMember").unwrap_or(true);
    let pattern = req.get("SearchPattern");
    let user = &instance.users[&user_id];
    let items = instance
        .skill_groups
        .values()
        .filter(|g| user.skill_levels.contains_key(&g.id) == member)
        .filter(|g| matches(pattern, &[&g.id, &g.name, &g.display_name]))
        .map(|g| {
            json!({
                "SkillGroupId": g.id,
                "SkillGroupName": g.name,
                "SkillLevel": user.skill_levels.get(&g.id),
            })
        })
        .collect();
    page.answer(items, |v| v)
}

fn list_phone_numbers(world: &mut World, req: &Req<'_>) -> Answer {
    let instance = instance_mut(world, req)?;
    let page = Page::of(req)?;
    let active = req.flag("Active");
    let usage = req.get("Usage");
    let pattern = req.get("SearchPattern");
    let items = instance
        .numbers
        .values()
        .filter(|n| active.is_none_or(|a| a == n.active))
        .filter(|n| usage.is_none_or(|u| u.eq_ignore_ascii_case(&n.usage)))
        .filter(|n| matches(pattern, &[&n.number, &n.city, &n.province]))
        .collect();
    page.answer(items, |n| number_entry(instance, n))
}

fn list_phone_numbers_of_skill_group(world: &mut World, req: &Req<'_>) -> Answer {
    let instance = instance_mut(world, req)?;
    let group = group_of(instance, req)?;
    let page = Page::of(req)?;
    let member = req.flag("IsMember").unwrap_or(true);
    let active = req.flag("Active");
    let pattern = req.get("SearchPattern");
    let items = instance
        .numbers
        .values()
        .filter(|n| n.skill_group_ids.contains(&group) == member)
        .filter(|n| active.is_none_or(|a| a == n.active))
        .filter(|n| matches(pattern, &[&n.number]))
        .collect();
    page.answer(items, |n| number_entry(instance, n))
}

fn check_numbers<'a>(
    instance: &Instance,
    numbers: impl IntoIterator<Item = &'a String>,
) -> Result<(), Failure> {
    for n in numbers {
        if !instance.numbers.contains_key(n) {
            return Err(fail_args("NotExists.Number", [n, &instance.id]));
        }
    }
    Ok(())
}

/// Binds (or unbinds) numbers and skill groups, every pair of the two lists.
fn bind(instance: &mut Instance, numbers: &[String], groups: &[String], on: bool) {
    for n in numbers {
        if let Some(number) = instance.numbers.get_mut(n) {
            for g in groups {
                number.skill_group_ids.retain(|x| x != g);
                if on {
                    number.skill_group_ids.push(g.clone());
                }
            }
        }
    }
}

fn numbers_and_group(world: &mut World, req: &Req<'_>, on: bool) -> Answer {
    let instance = instance_mut(world, req)?;
    let group = group_of(instance, req)?;
    let numbers = req.list("NumberList");
    check_numbers(instance, &numbers)?;
    bind(instance, &numbers, &[group], on);
    Ok(Default::default())
}

fn add_numbers_to_skill_group(world: &mut World, req: &Req<'_>) -> Answer {
    numbers_and_group(world, req, true)
}

fn remove_phone_numbers_from_skill_group(world: &mut World, req: &Req<'_>) -> Answer {
    numbers_and_group(world, req, false)
}

fn number_and_groups(world: &mut World, req: &Req<'_>, on: bool) -> Answer {
    let instance = instance_mut(world, req)?;
    let number = vec![req.required("Number")?.to_owned()];
    check_numbers(instance, &number)?;
    let groups = req.list("SkillGroupIdList");
    check_groups(instance, &groups)?;
    bind(instance, &number, &groups, on);
    Ok(Default::default())
}

fn add_phone_number_to_skill_groups(world: &mut World, req: &Req<'_>) -> Answer {
    number_and_groups(world, req, true)
}

fn remove_phone_number_from_skill_groups(world: &mut World, req: &Req<'_>) -> Answer {
    number_and_groups(world, req, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::Instance;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn an_instance_stops_growing_at_its_caps() {
        let mut world = World::empty();
        let mut instance = Instance::new("i");
        for n in 0..MAX_USERS {
            let agent = Agent::new(format!("u{n}@i"), n.to_string());
            instance
                .users
                .insert(agent.user_id.clone(), User::new(agent));
        }
        world.instances.insert("i".into(), instance);
        let p = params(&[
            ("InstanceId", "i"),
            ("LoginName", "one-more"),
            ("DisplayName", "x"),
            ("Email", "x@example.com"),
            ("RoleId", "Agent@i"),
            ("WorkMode", "ON_SITE"),
        ]);
        let err = create_user(&mut world, &Req { params: &p }).unwrap_err();
        assert_eq!(err.code, "Parameter.Maximum");
        assert_eq!(world.instances["i"].users.len(), MAX_USERS);

        for n in 0..MAX_SKILL_GROUPS {
            let p = params(&[
                ("InstanceId", "i"),
                ("Name", &format!("g{n}")),
                ("DisplayName", "g"),
            ]);
            create_skill_group(&mut world, &Req { params: &p }).unwrap();
        }
        let p = params(&[("InstanceId", "i"), ("Name", "last"), ("DisplayName", "g")]);
        let err = create_skill_group(&mut world, &Req { params: &p }).unwrap_err();
        assert_eq!(err.code, "Parameter.Maximum");
    }
}
