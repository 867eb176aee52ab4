def test_world_superiors(world):
    staff_a = world.employee("staff_a")
    assert staff_a.superior.nip == world.employee("kabid_a").nip


def test_login_and_list(login_as):
    c = login_as("admin")
    r = c.get("/employeeview/list/")
    assert r.status_code == 200
